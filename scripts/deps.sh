#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages pkiodesk needs to build, run and test,
# when some are missing. Usage: scripts/deps.sh GROUP... (default: test), with
# GROUP one of build, run, test and
#   windows: the mingw-w64 cross compiler and zip, for the Windows build
#   dist:    the Linux package (xz)
#   check:   `make check-dist`: wine with Xvfb for pkiodesk.exe (and mingw for
#            its ProcessPrng shim), desktop-file-validate, the window's libraries
#   arm64:   the Linux arm64 cross build (Debian's aarch64 gcc, arm64 -dev)
set -euo pipefail

build=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
  libxi-dev libxxf86vm-dev libpcsclite-dev)
# zenity gives the system's own file dialog (GTK) on Linux; without it
# pkiodesk falls back to Fyne's.
runtime=(pcscd softhsm2 opensc libgl1 libglx-mesa0 libgl1-mesa-dri zenity)
testing=(libgl1 libglx-mesa0 libgl1-mesa-dri pcscd vsmartcard-vpcd vsmartcard-vpicc python3-virtualsmartcard python3-pycryptodome
  softhsm2 opensc poppler-utils qpdf libnss3-tools xvfb xdotool imagemagick procps zenity)

want=()
arm64=""
for group in "${@:-test}"; do
  case "$group" in
    build) want+=("${build[@]}") ;;
    windows) want+=(gcc-mingw-w64-x86-64 zip) ;;
    dist) want+=(xz-utils) ;;
    check) want+=(gcc-mingw-w64-x86-64 wine wine64 xvfb xdotool imagemagick desktop-file-utils xz-utils
      libgl1 libglx-mesa0 libgl1-mesa-dri softhsm2) ;;
    arm64) arm64=yes
      want+=(gcc-aarch64-linux-gnu pkg-config libc6-dev:arm64 libgl1-mesa-dev:arm64 libx11-dev:arm64 libxcursor-dev:arm64
        libxrandr-dev:arm64 libxinerama-dev:arm64 libxi-dev:arm64 libxxf86vm-dev:arm64 libpcsclite-dev:arm64) ;;
    run) want+=("${build[@]}" "${runtime[@]}") ;;
    test) want+=("${build[@]}" "${testing[@]}") ;;
    *) echo "scripts/deps.sh: unknown group $group" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "pkiodesk: install these packages by hand: ${missing[*]}" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"
  else
    echo "pkiodesk: missing packages (run as root or with sudo): ${missing[*]}" >&2
    exit 0
  fi
fi
echo "pkiodesk: installing ${missing[*]}" >&2
if [ -n "$arm64" ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $sudo dpkg --add-architecture arm64
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
