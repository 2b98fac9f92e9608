#!/usr/bin/env bash
# Starts the real parts the tests use and writes their settings to
# build/fixtures.env, which `make test` sources. Idempotent: what already
# runs is left alone. A part that cannot start here is left out; its tests
# skip on a laptop and fail in CI (CI=true).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$top/build"
env="$top/build/fixtures.env"
: > "$env"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# PC/SC: pcscd with the vsmartcard virtual reader (vpcd listens on 35963).
if command -v pcscd >/dev/null; then
  if ! port_open 35963; then
    pkill -x pcscd 2>/dev/null; sleep 0.2
    rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid 2>/dev/null
    setsid pcscd -f -i >"$top/build/pcscd.log" 2>&1 < /dev/null &
    for _ in $(seq 50); do port_open 35963 && break; sleep 0.2; done
  fi
  if port_open 35963; then
    # vicc (started and stopped by the tests to insert and remove a card)
    # needs the package's module path and a Crypto -> Cryptodome shim.
    shim="$top/build/pyshim"
    mkdir -p "$shim"
    [ -e "$shim/Crypto" ] || ln -s /usr/lib/python3/dist-packages/Cryptodome "$shim/Crypto"
    echo "export PKIODESK_VPCD_PORT=35963" >> "$env"
    echo "export PKIODESK_VICC_PYTHONPATH=/usr/lib/python3/site-packages/virtualsmartcard:$shim" >> "$env"
  else
    echo "fixtures: pcscd with vpcd did not start (see build/pcscd.log)" >&2
  fi
fi

# A display for the real-window test. A socket file alone proves nothing (it
# can be stale), so the display must answer an X handshake; otherwise a new
# Xvfb is started on a free display number it picks itself (-displayfd).
answers() {
  [ -n "$1" ] && [ "$1" != ":" ] || return 1
  # Without xdotool (the window test needs it anyway) trust Xvfb's own report.
  command -v xdotool >/dev/null || return 0
  DISPLAY="$1" xdotool getdisplaygeometry >/dev/null 2>&1
}
if command -v Xvfb >/dev/null; then
  display=""
  [ -s "$top/build/xvfb.display" ] && display=$(cat "$top/build/xvfb.display")
  if [ -z "$display" ] || ! answers "$display"; then
    rm -f "$top/build/xvfb.display"
    setsid Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp \
      >"$top/build/xvfb.number" 2>"$top/build/xvfb.log" < /dev/null &
    for _ in $(seq 100); do [ -s "$top/build/xvfb.number" ] && break; sleep 0.1; done
    display=":$(head -n1 "$top/build/xvfb.number" 2>/dev/null)"
    echo "$display" > "$top/build/xvfb.display"
  fi
  if answers "$display"; then
    echo "export PKIODESK_TEST_DISPLAY=$display" >> "$env"
  else
    echo "fixtures: Xvfb did not start (see build/xvfb.log); the window test starts its own" >&2
  fi
fi
exit 0
