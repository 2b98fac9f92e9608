#!/bin/sh
# Runs a pcscd of its own for the tests, in the foreground, without touching
# the machine's card service: usage  private-pcscd.sh DIR PORT
#
# pcscd (pcsc-lite 1.9-2.x) has its socket and pid file compiled in
# (/run/pcscd/pcscd.comm); only the client library honours
# PCSCLITE_CSOCK_NAME. So pcscd runs in a mount namespace of its own in
# which DIR/run is mounted over that folder: its socket appears as
# DIR/run/pcscd.comm (clients: PCSCLITE_CSOCK_NAME=DIR/run/pcscd.comm) and
# the machine's socket and pid file stay as they are. The USB driver bundles
# are hidden in the namespace, so this pcscd never claims a real reader the
# machine's pcscd serves. Its one reader driver is vpcd (the vsmartcard
# virtual reader) on PORT and PORT+1 (readers "Virtual PCD 00 00" and
# "Virtual PCD 00 01"; vpcd listens on every interface).
# Needs unshare (util-linux); as a user, unprivileged user namespaces.
set -eu
dir=$1
port=$2

pcscd=$(PATH="$PATH:/usr/sbin:/sbin" command -v pcscd) || { echo "private-pcscd: pcscd not installed" >&2; exit 3; }
vpcd=""
for f in /usr/lib/pcsc/drivers/serial/libifdvpcd.so /usr/lib64/pcsc/drivers/serial/libifdvpcd.so /usr/local/lib/pcsc/drivers/serial/libifdvpcd.so; do
  [ -e "$f" ] && { vpcd=$f; break; }
done
[ -n "$vpcd" ] || { echo "private-pcscd: vpcd (vsmartcard-vpcd) not installed" >&2; exit 3; }
drivers=$(dirname "$(dirname "$vpcd")")
# The socket folder pcscd was built with.
sock=$(grep -a -o '/[A-Za-z0-9_/.-]*/pcscd\.comm' "$pcscd" | head -n 1)
[ -n "$sock" ] || sock=/run/pcscd/pcscd.comm
ipc=$(dirname "$sock")

mkdir -p "$dir/run"
# A pcscd killed with -9 leaves its socket and pid file; they are ours.
rm -f "$dir/run/pcscd.comm" "$dir/run/pcscd.pid"
hex=$(printf '0x%X' "$port")
cat > "$dir/reader.conf" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$hex
LIBPATH      $vpcd
CHANNELID    $hex
CONF

ns="--mount --propagation private"
[ "$(id -u)" = 0 ] || ns="--user --map-root-user $ns"
# shellcheck disable=SC2086
exec unshare $ns sh -c '
  set -eu
  dir=$1 ipc=$2 drivers=$3 pcscd=$4
  if [ ! -d "$ipc" ]; then
    mount -t tmpfs tmpfs "$(dirname "$ipc")"
    mkdir -p "$ipc"
  fi
  mount --bind "$dir/run" "$ipc"
  for b in "$drivers"/*.bundle; do
    if [ -d "$b" ]; then mount -t tmpfs -o ro tmpfs "$b"; fi
  done
  exec "$pcscd" --foreground --config "$dir/reader.conf"
' private-pcscd "$dir" "$ipc" "$drivers" "$pcscd"
