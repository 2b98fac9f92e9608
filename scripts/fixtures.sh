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

# A display for the real-window test.
if command -v Xvfb >/dev/null; then
  if ! [ -e /tmp/.X11-unix/X99 ]; then
    setsid Xvfb :99 -screen 0 1280x800x24 -nolisten tcp >"$top/build/xvfb.log" 2>&1 < /dev/null &
    for _ in $(seq 50); do [ -e /tmp/.X11-unix/X99 ] && break; sleep 0.1; done
  fi
  [ -e /tmp/.X11-unix/X99 ] && echo "export PKIODESK_TEST_DISPLAY=:99" >> "$env"
fi
exit 0
