#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages pkiodesk needs to build, run and test,
# when some are missing. Usage: scripts/deps.sh build|run|test|windows
set -euo pipefail

build=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
  libxi-dev libxxf86vm-dev libpcsclite-dev)
# zenity gives the system's own file dialog (GTK) on Linux; without it
# pkiodesk falls back to Fyne's.
runtime=(pcscd softhsm2 opensc libgl1 libglx-mesa0 libgl1-mesa-dri zenity)
testing=(libgl1 libglx-mesa0 libgl1-mesa-dri pcscd vsmartcard-vpcd vsmartcard-vpicc python3-virtualsmartcard python3-pycryptodome
  softhsm2 opensc poppler-utils qpdf libnss3-tools xvfb xdotool imagemagick procps zenity)

case "${1:-test}" in
  build) want=("${build[@]}") ;;
  windows) want=(gcc-mingw-w64-x86-64) ;;
  run) want=("${build[@]}" "${runtime[@]}") ;;
  *) want=("${build[@]}" "${testing[@]}") ;;
esac

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
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
