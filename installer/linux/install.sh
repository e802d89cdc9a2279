#!/bin/sh
# Install this ReelDrop bundle for the current user (no root needed):
#   ~/.local/lib/reeldrop/        the application
#   ~/.local/bin/reeldrop         the command
#   the applications-menu entry with "Open with ReelDrop" for videos, and the icons.
# ./install.sh --autostart        also start ReelDrop (tray + daemon) at every login.
# ./install.sh --uninstall        remove all of it (your settings and queue stay).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest="$HOME/.local/lib/reeldrop"
bin="$HOME/.local/bin"

if [ "${1:-}" = "--uninstall" ]; then
  "$dest/reeldrop" autostart disable || true
  "$dest/reeldrop" desktop-entry remove || true
  rm -f "$bin/reeldrop"
  rm -rf "$dest"
  echo "ReelDrop removed."
  exit 0
fi

if [ "$here" != "$dest" ]; then
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest.new"
  cp -a "$here" "$dest.new"
  rm -rf "$dest"
  mv "$dest.new" "$dest"
fi
mkdir -p "$bin"
ln -sf "$dest/reeldrop" "$bin/reeldrop"
"$dest/reeldrop" desktop-entry install
if [ "${1:-}" = "--autostart" ]; then
  "$dest/reeldrop" autostart enable
fi
echo "ReelDrop installed: run 'reeldrop' (make sure $bin is on your PATH)."
echo "Check the setup any time with: reeldrop doctor"
