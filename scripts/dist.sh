#!/usr/bin/env bash
# Builds what `make dist` ships, from FyneApp.toml's name, id, version and icon.
#
#   scripts/dist.sh windows          build/windows-amd64/pkiodesk.exe (window, GUI
#                                    subsystem) and pkiodesk.com (command line),
#                                    both with icon, version and manifest (go-winres)
#   scripts/dist.sh windows-zip      build/dist/pkiodesk-VERSION-windows-amd64.zip
#   scripts/dist.sh linux [ARCH]     build/dist/pkiodesk-VERSION-linux-ARCH.tar.xz:
#                                    `fyne package -os linux` (.desktop, icon,
#                                    Makefile) with the window program added
#
# The Go builds use the same flags as `make build` / `make windows` (-ldflags
# only changes the link step), so the build cache is shared with them.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
FYNE_TOOLS_VERSION=v1.7.4 # fyne.io/tools: packs an existing binary, no build
GO_WINRES_VERSION=v0.3.3  # github.com/tc-hib/go-winres: Windows resources (.syso)
TOOLS=$PWD/build/tools

toml() { sed -n "s/^$1 = \"\{0,1\}\([^\"]*\)\"\{0,1\}$/\1/p" FyneApp.toml | head -1; }
NAME=$(toml Name)
VERSION=$(toml Version)
BUILD=$(toml Build)
ICON=$(toml Icon)
[ -n "$NAME" ] && [ -n "$VERSION" ] && [ -n "$BUILD" ] && [ -n "$ICON" ] || {
  echo "dist: FyneApp.toml lacks Name, Version, Build or Icon" >&2
  exit 1
}

# tool NAME MODULE@VERSION: a pinned tool from the Go module proxy, once.
tool() {
  local bin=$TOOLS/$1-${2##*@}
  if [ ! -x "$bin" ]; then
    echo "dist: installing $2" >&2
    mkdir -p "$TOOLS/tmp"
    GOFLAGS= GOBIN=$TOOLS/tmp $GO install "$2"
    mv "$TOOLS/tmp/$1" "$bin"
  fi
  echo "$bin"
}

windows() {
  local winres out=build/windows-amd64
  winres=$(tool go-winres github.com/tc-hib/go-winres@$GO_WINRES_VERSION)
  mkdir -p "$out"
  # The .syso files exist only during the build: go build links a package's
  # .syso files into the program.
  trap 'rm -f rsrc_windows_amd64.syso cmd/pkiodesk/rsrc_windows_amd64.syso' EXIT
  local common=(--arch amd64 --icon "$PWD/$ICON" --product-name "$NAME" --product-version "$VERSION"
    --file-version "$VERSION.$BUILD" --copyright "pkiodesk")
  "$winres" simply "${common[@]}" --manifest gui --file-description "$NAME" \
    --original-filename pkiodesk.exe --out rsrc
  (cd cmd/pkiodesk && "$winres" simply "${common[@]}" --manifest cli \
    --file-description "$NAME (command line)" --original-filename pkiodesk.com --out rsrc)
  export CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc
  $GO build -ldflags "-H=windowsgui -s -w" -o "$out/pkiodesk.exe" .
  $GO build -ldflags "-s -w" -o "$out/pkiodesk.com" ./cmd/pkiodesk
  echo "dist: $out/pkiodesk.exe and $out/pkiodesk.com" >&2
}

windows_zip() {
  local stage dir="pkiodesk-$VERSION"
  local zip=$PWD/build/dist/pkiodesk-$VERSION-windows-amd64.zip
  stage=$(mktemp -d)
  trap "rm -rf '$stage'" EXIT
  mkdir -p "$stage/$dir" build/dist
  cp build/windows-amd64/pkiodesk.exe build/windows-amd64/pkiodesk.com "$stage/$dir/"
  # Notepad opens .txt with a double click; the Markdown reads as text.
  sed 's/$/\r/' README.md >"$stage/$dir/README.txt"
  rm -f "$zip"
  (cd "$stage" && zip -q -9 -r "$zip" "$dir")
  echo "dist: $zip" >&2
}

linux() {
  local arch=${1:-amd64} cc=gcc fyne
  if [ "$arch" = arm64 ]; then
    cc=aarch64-linux-gnu-gcc
    # pkg-config answers for the arm64 libraries (libpcsclite).
    export PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
  fi
  local out=build/linux-$arch stage
  local tarball=$PWD/build/dist/pkiodesk-$VERSION-linux-$arch.tar.xz
  fyne=$(tool fyne fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION)
  mkdir -p "$out" build/dist
  CGO_ENABLED=1 GOOS=linux GOARCH=$arch CC=$cc $GO build -ldflags "-s -w" -o "$out/pkiodesk" ./cmd/pkiodesk
  CGO_ENABLED=1 GOOS=linux GOARCH=$arch CC=$cc $GO build -ldflags "-s -w" -o "$out/pkiodesk-gui" .

  # fyne packs the command line as the program the desktop entry starts
  # (Exec=pkiodesk, which opens the window). It reads FyneApp.toml from a
  # copy, because it counts the Build number up in the file it reads, and
  # it runs in the stage folder, so its scratch files stay out of the tree.
  # The stage is outside the module: its main.go would join ./... otherwise.
  stage=$(mktemp -d)
  trap "rm -rf '$stage'" EXIT
  mkdir -p "$stage/src/$(dirname "$ICON")"
  cp FyneApp.toml "$stage/src/"
  cp "$ICON" "$stage/src/$ICON"
  echo 'package main' >"$stage/src/main.go"
  (cd "$stage" && "$fyne" package --target linux --src "$stage/src" --exe "$OLDPWD/$out/pkiodesk" --name "$NAME")
  mkdir -p "$stage/x"
  tar -xJf "$stage/$NAME.tar.xz" -C "$stage/x"
  local root=$stage/x/$NAME bindir
  bindir=$(dirname "$(find "$root/usr" -path '*/bin/pkiodesk' -type f)")
  install -m 0755 "$out/pkiodesk-gui" "$bindir/pkiodesk-gui"
  # fyne's Makefile installs one program: install and remove the window
  # program next to it.
  sed -i -E '/^\t(install|-rm) .*bin\/\$\(Exec\)/{p;s/\$\(Exec\)/pkiodesk-gui/g}' "$root/Makefile"
  grep -q 'bin/pkiodesk-gui' "$root/Makefile" || { echo "dist: fyne's Makefile changed shape" >&2; exit 1; }
  rm -f "$tarball"
  tar -cJf "$tarball" -C "$stage/x" "$NAME"
  echo "dist: $tarball" >&2
}

case "${1:-}" in
  windows) windows ;;
  windows-zip) windows_zip ;;
  linux) linux "${2:-amd64}" ;;
  *) echo "usage: scripts/dist.sh windows|windows-zip|linux [amd64|arm64]" >&2; exit 2 ;;
esac
