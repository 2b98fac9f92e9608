#!/usr/bin/env bash
# Checks that the Windows build starts, under Debian's wine with Xvfb:
#   - the command line (pkiodesk.com) runs: version, an unknown word (exit 2
#     with the closest command), and `tokens`, which must report wine's
#     missing card service (its winscard.dll is a stub) as the clear message
#     in Dutch and English, within a time limit (no crash, no hang);
#   - a command without --db keeps its database in %AppData%\pkiodesk;
#   - module discovery finds middleware in System32 and through the registry
#     (OpenSC's ConfigFile), and a module that does not load is reported;
#   - the window (pkiodesk.exe --demo, started by pkiodesk.com) shows the
#     login screen; a screenshot is kept in build/wine/ (and in
#     $SCREENSHOT_DIR when set).
# Wine 8 lacks bcryptprimitives.dll!ProcessPrng, which Go needs at start:
# scripts/processprng.c is built here with mingw-w64 into a one-function DLL
# for the check's own wine prefix (never shipped).
#
# Usage: scripts/wine-check.sh DIR   (DIR holds pkiodesk.exe and pkiodesk.com)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(cd "${1:-build/windows-amd64}" && pwd)
out=$PWD/build/wine
mkdir -p "$out"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  # Ends the wineserver of this check's own prefix only.
  WINEPREFIX=$work/prefix wineserver -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "wine-check: FAIL: $*" >&2; exit 1; }
step() { echo "wine-check: $*" >&2; }

# The language is chosen with PKIODESK_LANG; the locale is one every Debian has.
export LANG=C.UTF-8
unset LC_ALL LC_MESSAGES LANGUAGE
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEARCH=win64
# No Mono or Gecko installer dialogs in a fresh prefix.
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY

step "ProcessPrng shim (mingw-w64)"
x86_64-w64-mingw32-gcc -shared -O2 -Wall -Werror -o "$out/bcryptprimitives.dll" scripts/processprng.c -ladvapi32

step "wine prefix"
timeout 180 wineboot -i >"$work/wineboot.log" 2>&1 || { cat "$work/wineboot.log" >&2; fail "wineboot"; }
sys32=$WINEPREFIX/drive_c/windows/system32
cp "$out/bcryptprimitives.dll" "$sys32/"

# run NAME PROGRAM ARGS...: runs pkiodesk.com or pkiodesk.exe under wine with
# a time limit; its output in $work/NAME.stdout and, with what it (and wine)
# wrote on stderr, in $work/NAME.txt; exit status in $rc.
run() {
  local name=$1 program=$2
  shift 2
  rc=0
  (cd "$work" && timeout 60 wine "$dir/$program" "$@") >"$work/$name.out" 2>"$work/$name.err" || rc=$?
  tr -d '\r' <"$work/$name.out" >"$work/$name.stdout"
  tr -d '\r' <"$work/$name.err" | cat "$work/$name.stdout" - >"$work/$name.txt"
  [ "$rc" -ne 124 ] || { cat "$work/$name.txt" >&2; fail "$program $* hangs"; }
}
expect() { grep -qiF -- "$2" "$work/$1.txt" || { cat "$work/$1.txt" >&2; fail "$1: no \"$2\""; }; }

step "pkiodesk.com version"
run version pkiodesk.com version
[ "$rc" -eq 0 ] || { cat "$work/version.txt" >&2; fail "version: exit $rc"; }
grep -qxE 'pkiodesk [0-9.]+ \(go[0-9.]+, windows/amd64\)' "$work/version.stdout" || { cat "$work/version.txt" >&2; fail "version output"; }

step "pkiodesk.exe version (the window program answers commands too)"
run exe-version pkiodesk.exe version
[ "$rc" -eq 0 ] && cmp -s "$work/exe-version.stdout" "$work/version.stdout" || { cat "$work/exe-version.txt" >&2; fail "pkiodesk.exe version: exit $rc"; }

step "pkiodesk.com lsit"
PKIODESK_LANG=en run lsit pkiodesk.com lsit
[ "$rc" -eq 2 ] || fail "unknown command: exit $rc, want 2"
expect lsit 'unknown command "lsit"'
expect lsit 'Did you mean list?'

step "database under %AppData%"
# Only init (and the window's first start) creates a database.
run init pkiodesk.com init
[ "$rc" -eq 0 ] || { cat "$work/init.txt" >&2; fail "init: exit $rc"; }
run list pkiodesk.com list
[ "$rc" -eq 0 ] || { cat "$work/list.txt" >&2; fail "list: exit $rc"; }
ls "$WINEPREFIX"/drive_c/users/*/AppData/Roaming/pkiodesk/pkiodesk.db >/dev/null 2>&1 ||
  fail "no database in %AppData%\\pkiodesk: $(find "$WINEPREFIX/drive_c/users" -name 'pkiodesk*.db')"

step "middleware in System32 and in the registry"
# (Windows paths: compared without regard to case.) Files that are DLLs but
# no PKCS#11 module: found, then reported as not
# loadable.
cp "$out/bcryptprimitives.dll" "$sys32/aetpkss1.dll"
mkdir -p "$WINEPREFIX/drive_c/pkiodesk-check/OpenSC/pkcs11"
cp "$out/bcryptprimitives.dll" "$WINEPREFIX/drive_c/pkiodesk-check/OpenSC/pkcs11/opensc-pkcs11.dll"
timeout 60 wine reg add 'HKLM\SOFTWARE\OpenSC Project\OpenSC' /v ConfigFile /t REG_SZ \
  /d 'C:\pkiodesk-check\OpenSC\opensc.conf' /f /reg:64 >/dev/null 2>&1 || fail "reg add"

step "pkiodesk.com tokens (Dutch, English)"
PKIODESK_LANG=nl run tokens-nl pkiodesk.com tokens
[ "$rc" -eq 0 ] || { cat "$work/tokens-nl.txt" >&2; fail "tokens: exit $rc"; }
expect tokens-nl "de Smart Card-service van Windows (PC/SC) is niet bereikbaar"
expect tokens-nl "SafeSign Identity Client [known] C:\\windows\\system32\\aetpkss1.dll"
expect tokens-nl "OpenSC [registry] C:\\pkiodesk-check\\OpenSC\\pkcs11\\opensc-pkcs11.dll"
expect tokens-nl "niet geladen"
n=$(grep -ciE '^  - .*\] c:\\windows\\system32\\aetpkss1\.dll$' "$work/tokens-nl.txt" || true)
[ "$n" -eq 1 ] || { cat "$work/tokens-nl.txt" >&2; fail "aetpkss1.dll listed $n times, want once"; }
PKIODESK_LANG=en run tokens-en pkiodesk.com tokens
expect tokens-en "the Windows Smart Card service (PC/SC) cannot be reached"
expect tokens-en "not loaded"
cp "$work/tokens-nl.stdout" "$out/tokens-nl.txt"
cp "$work/tokens-en.stdout" "$out/tokens-en.txt"

step "pkiodesk.com --demo (pkiodesk.exe) under Xvfb"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$work/display" >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || fail "Xvfb did not start"
export DISPLAY=":$(head -1 "$work/display")"
# pkiodesk.com without a command starts pkiodesk.exe, the window, and
# returns at once, as it does in a console.
rc=0
(cd "$work" && PKIODESK_LANG=nl timeout 60 wine "$dir/pkiodesk.com" --demo) >"$work/gui.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$work/gui.log" >&2; fail "pkiodesk.com --demo: exit $rc"; }
win=""
for _ in $(seq 240); do
  # ASCII in the pattern: X's WM_NAME holds the title in the locale's
  # encoding, which may have no em dash; getwindowname reads it in UTF-8.
  win=$(xdotool search --onlyvisible --name 'Inloggen$' 2>/dev/null | head -1 || true)
  [ -n "$win" ] && [ "$(xdotool getwindowname "$win")" = "pkiodesk — Inloggen" ] && break
  win=""
  sleep 0.5
done
[ -n "$win" ] || { cat "$work/gui.log" >&2; fail "no login window within 120 s"; }
shot=""
for _ in $(seq 20); do
  sleep 1 # the first frames
  import -display "$DISPLAY" -window "$win" "$out/login.png" 2>"$work/import.err" && shot=ok && break
done
[ -n "$shot" ] || fail "screenshot: $(cat "$work/import.err")"
# A rendered screen has many colours; a blank or black window has one or two.
colours=$(convert "$out/login.png" -format '%k' info:)
[ "$colours" -gt 20 ] || fail "the login window looks empty ($colours colours)"
if [ -n "${SCREENSHOT_DIR:-}" ]; then
  cp "$out/login.png" "$SCREENSHOT_DIR/windows-wine-inloggen.png"
fi
step "OK: $(xdotool getwindowname "$win"), screenshot $out/login.png"
