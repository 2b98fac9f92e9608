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

# PC/SC: a pcscd of the tests' own (scripts/private-pcscd.sh), on its own
# socket (build/pcscd/run/pcscd.comm, PCSCLITE_CSOCK_NAME for the clients)
# and its own vpcd port. The machine's pcscd, if one runs, is never stopped
# or changed: an administrator's card service keeps working during tests.
pcdir="$top/build/pcscd"
if [ -x /usr/sbin/pcscd ] || command -v pcscd >/dev/null; then
  port=""
  [ -s "$pcdir/port" ] && port=$(cat "$pcdir/port")
  pid=""
  [ -s "$pcdir/run/pcscd.pid" ] && pid=$(tr -d '\0' < "$pcdir/run/pcscd.pid")
  ours() { [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = pcscd ]; }
  if ours && [ -n "$port" ] && [ -S "$pcdir/run/pcscd.comm" ] && port_open "$port"; then
    : # still running from an earlier run
  else
    # Ours but not answering: stop it, by the PID it wrote in our folder.
    if ours; then kill "$pid" 2>/dev/null; sleep 0.5; fi
    port=""
    for p in $(seq 35970 2 36070); do
      if ! port_open "$p" && ! port_open $((p + 1)); then port=$p; break; fi
    done
    mkdir -p "$pcdir"
    echo "$port" > "$pcdir/port"
    setsid "$top/scripts/private-pcscd.sh" "$pcdir" "$port" >"$pcdir/pcscd.log" 2>&1 < /dev/null &
    for _ in $(seq 75); do
      [ -S "$pcdir/run/pcscd.comm" ] && port_open "$port" && break
      sleep 0.2
    done
  fi
  if [ -n "$port" ] && [ -S "$pcdir/run/pcscd.comm" ] && port_open "$port"; then
    # vicc (started and stopped by the tests to insert and remove a card)
    # needs the package's module path and a Crypto -> Cryptodome shim.
    shim="$top/build/pyshim"
    mkdir -p "$shim"
    [ -e "$shim/Crypto" ] || ln -s /usr/lib/python3/dist-packages/Cryptodome "$shim/Crypto"
    echo "export PCSCLITE_CSOCK_NAME=$pcdir/run/pcscd.comm" >> "$env"
    echo "export PKIODESK_VPCD_PORT=$port" >> "$env"
    echo "export PKIODESK_VICC_PYTHONPATH=/usr/lib/python3/site-packages/virtualsmartcard:$shim" >> "$env"
  else
    echo "fixtures: the tests' own pcscd did not start (see build/pcscd/pcscd.log; it needs unshare and, as a user, user namespaces)" >&2
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
    # -noreset: without it the server resets whenever its last client
    # leaves and drops connections arriving meanwhile (a window that starts
    # then cannot open the display).
    setsid Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp -noreset \
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
