#!/usr/bin/env bash
# Installs the few Debian packages the tests and the app need, only when they are missing.
# PostgreSQL backs the server test suite; the Qt libraries let PySide6 render offscreen and on
# X11; rclone is the third-party B2 client the store is tested against; Xvfb, xauth,
# x11-utils (xwininfo) and xdotool let the tests start the app on a real X server.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v rclone >/dev/null 2>&1 || missing+=(rclone)
for lib in libEGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3 libGL.so.1 \
    libxcb-cursor.so.0 libxkbcommon-x11.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 \
    libxcb-image.so.0 libxcb-render-util.so.0 libxcb-shape.so.0; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing+=("$lib")
done
for tool in Xvfb xauth xwininfo xdotool; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done

[ ${#missing[@]} -eq 0 ] && exit 0

packages=()
for m in "${missing[@]}"; do
  case "$m" in
    postgresql) packages+=(postgresql) ;;
    rclone) packages+=(rclone) ;;
    libEGL.so.1) packages+=(libegl1) ;;
    libxkbcommon.so.0) packages+=(libxkbcommon0) ;;
    libfontconfig.so.1) packages+=(libfontconfig1) ;;
    libdbus-1.so.3) packages+=(libdbus-1-3) ;;
    libGL.so.1) packages+=(libgl1) ;;
    libxcb-cursor.so.0) packages+=(libxcb-cursor0) ;;
    libxkbcommon-x11.so.0) packages+=(libxkbcommon-x11-0) ;;
    libxcb-icccm.so.4) packages+=(libxcb-icccm4) ;;
    libxcb-keysyms.so.1) packages+=(libxcb-keysyms1) ;;
    libxcb-image.so.0) packages+=(libxcb-image0) ;;
    libxcb-render-util.so.0) packages+=(libxcb-render-util0) ;;
    libxcb-shape.so.0) packages+=(libxcb-shape0) ;;
    Xvfb) packages+=(xvfb) ;;
    xauth) packages+=(xauth) ;;
    xwininfo) packages+=(x11-utils) ;;
    xdotool) packages+=(xdotool) ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${packages[*]}" >&2
  echo "Install them with: sudo apt-get install ${packages[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
