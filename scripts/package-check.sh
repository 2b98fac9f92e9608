#!/usr/bin/env bash
# Checks the Linux package as a user gets it: `make install PREFIX=<temporary
# folder>` (the package's own Makefile), desktop-file-validate on its .desktop
# file, the installed command line without a display (no GUI output on
# stderr, also with LANG=C.UTF-8), the installed window under Xvfb (demo,
# login screen; screenshot in build/package/, and in $SCREENSHOT_DIR when
# set), and `make uninstall`, which leaves nothing behind.
#
# Usage: scripts/package-check.sh build/dist/pkiodesk-VERSION-linux-amd64.tar.xz
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=${1:?usage: scripts/package-check.sh PACKAGE.tar.xz}
[ -f "$pkg" ] || { echo "package-check: $pkg not found" >&2; exit 1; }
out=$PWD/build/package
mkdir -p "$out"
work=$(mktemp -d)
prefix=$work/prefix
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package-check: FAIL: $*" >&2; exit 1; }
step() { echo "package-check: $*" >&2; }

step "install into $prefix"
mkdir -p "$work/unpacked"
tar -xJf "$pkg" -C "$work/unpacked"
make -s -C "$work/unpacked/pkiodesk" install PREFIX="$prefix" >/dev/null
for f in bin/pkiodesk bin/pkiodesk-gui share/applications/nl.pkiodesk.app.desktop share/pixmaps/nl.pkiodesk.app.png; do
  [ -f "$prefix/$f" ] || fail "$f not installed"
done
[ -x "$prefix/bin/pkiodesk" ] && [ -x "$prefix/bin/pkiodesk-gui" ] || fail "programs not executable"

step "desktop-file-validate"
# Errors fail it; hints and warnings too, so the entry stays clean.
msg=$(desktop-file-validate "$prefix/share/applications/nl.pkiodesk.app.desktop" 2>&1) || fail "desktop file: $msg"
[ -z "$msg" ] || fail "desktop file: $msg"
grep -qx 'Exec=pkiodesk' "$prefix/share/applications/nl.pkiodesk.app.desktop" || fail "desktop Exec"
grep -qx 'Icon=nl.pkiodesk.app' "$prefix/share/applications/nl.pkiodesk.app.desktop" || fail "desktop Icon"

step "command line without a display"
# env -i: no DISPLAY, the locale many containers have.
cli() { env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8 "$prefix/bin/pkiodesk" "$@"; }
cli version >"$work/version.out" 2>"$work/version.err" || fail "version: exit $?"
grep -qE '^pkiodesk [0-9.]+ \(go[0-9.]+, linux/amd64\)$' "$work/version.out" || fail "version output: $(cat "$work/version.out")"
[ ! -s "$work/version.err" ] || fail "version wrote to stderr: $(cat "$work/version.err")"
rc=0
# Only init (and the window's first start) creates a database.
cli init --db "$work/p.db" >"$work/init.out" 2>"$work/init.err" || rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$work/init.err" ] || fail "init: exit $rc, stderr: $(cat "$work/init.err")"
rc=0
cli list --db "$work/p.db" --status all >"$work/list.out" 2>"$work/list.err" || rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$work/list.err" ] || fail "list: exit $rc, stderr: $(cat "$work/list.err")"
rc=0
cli lsit >/dev/null 2>"$work/lsit.err" || rc=$?
[ "$rc" -eq 2 ] || fail "unknown command: exit $rc, want 2"
grep -qF 'Bedoelde u list?' "$work/lsit.err" || fail "no suggestion: $(cat "$work/lsit.err")"
rc=0
cli >/dev/null 2>"$work/nodisplay.err" || rc=$?
[ "$rc" -eq 1 ] && grep -qF 'geen beeldscherm' "$work/nodisplay.err" || fail "window without a display: exit $rc, $(cat "$work/nodisplay.err")"

step "window under Xvfb"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$work/display" >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || fail "Xvfb did not start"
display=":$(head -1 "$work/display")"
# The command line replaces itself with the window program (same process).
env DISPLAY="$display" HOME="$work/home" LANG=nl_NL.UTF-8 PKIODESK_LANG=nl FYNE_THEME=light \
  PKIODESK_DEMO_DB="$work/demo/pkiodesk-demo.db" "$prefix/bin/pkiodesk" --demo >"$work/gui.log" 2>&1 &
gui=$!
pids+=($gui)
win=""
for _ in $(seq 240); do
  # ASCII in the pattern: X's WM_NAME holds the title in the locale's
  # encoding, which may have no em dash; getwindowname reads it in UTF-8.
  win=$(DISPLAY=$display xdotool search --onlyvisible --pid "$gui" --name 'Inloggen$' 2>/dev/null | head -1 || true)
  [ -n "$win" ] && [ "$(DISPLAY=$display xdotool getwindowname "$win")" = "pkiodesk — Inloggen" ] && break
  win=""
  kill -0 "$gui" 2>/dev/null || { cat "$work/gui.log" >&2; fail "the window program ended"; }
  sleep 0.5
done
[ -n "$win" ] || { cat "$work/gui.log" >&2; fail "no login window within 120 s"; }
shot=""
for _ in $(seq 20); do
  sleep 1 # the first frames
  import -display "$display" -window "$win" "$out/login.png" 2>"$work/import.err" && shot=ok && break
done
[ -n "$shot" ] || fail "screenshot: $(cat "$work/import.err")"
colours=$(convert "$out/login.png" -format '%k' info:)
[ "$colours" -gt 20 ] || fail "the login window looks empty ($colours colours)"
[ "$(readlink "/proc/$gui/exe")" = "$prefix/bin/pkiodesk-gui" ] || fail "the window is not the installed pkiodesk-gui"
if [ -n "${SCREENSHOT_DIR:-}" ]; then
  cp "$out/login.png" "$SCREENSHOT_DIR/linux-package-inloggen.png"
fi
kill "$gui"

step "uninstall"
make -s -C "$work/unpacked/pkiodesk" uninstall PREFIX="$prefix" >/dev/null
left=$(find "$prefix" -type f)
[ -z "$left" ] || fail "left after uninstall: $left"
step "OK"
