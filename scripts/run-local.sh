#!/usr/bin/env bash
# `make run`: the whole local stack on its embedded defaults.
# Server (API + embedded B2-compatible store, SQLite) -> demo instructor with a course and its
# videos -> daemon signed in -> the window. Without a display it stays up headless and says
# how to use the CLI. Everything lives under .reeldrop-dev/ (or REELDROP_DEV_DIR); Ctrl-C
# stops it all. REELDROP_PORT changes the server port (default 8750).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/.venv/bin"
DEV="${REELDROP_DEV_DIR:-$PWD/.reeldrop-dev}"
PORT="${REELDROP_PORT:-8750}"
SERVER_URL="http://127.0.0.1:$PORT"
SERVER_DATA="$DEV/server"
export REELDROP_HOME="$DEV/client"
mkdir -p "$DEV" "$SERVER_DATA" "$REELDROP_HOME"
chmod 700 "$DEV"
reeldrop() { "$BIN/reeldrop" "$@"; }

DEMO_EMAIL="instructor@reeldrop.local"
PASSWORD_FILE="$DEV/demo-password"
if [ ! -s "$PASSWORD_FILE" ]; then
  (umask 077; "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(12))' >"$PASSWORD_FILE")
fi

pids=()
cleanup() {
  trap - EXIT INT TERM
  "$BIN/python" -c 'from shared.control.client import ControlClient; ControlClient.from_runtime_dir().shutdown()' \
    >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "ReelDrop stopped."
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

reeldrop server migrate --data-dir "$SERVER_DATA" >/dev/null
if reeldrop server user add "$DEMO_EMAIL" --role instructor --password-stdin \
    --data-dir "$SERVER_DATA" <"$PASSWORD_FILE" >/dev/null 2>&1; then
  course_id=$(reeldrop server course add "Demo course: Introduction to Film" \
    --instructor "$DEMO_EMAIL" --data-dir "$SERVER_DATA")
  for title in "Lecture 1: Welcome" "Lecture 2: Framing" "Lecture 3: Editing"; do
    reeldrop server video add "$course_id" "$title" --data-dir "$SERVER_DATA" >/dev/null
  done
fi

"$BIN/reeldrop" server serve --data-dir "$SERVER_DATA" --port "$PORT" &
pids+=($!)
up=""
for _ in $(seq 1 300); do
  if "$BIN/python" -c "import httpx,sys; sys.exit(httpx.get('$SERVER_URL/healthz').status_code != 200)" \
      2>/dev/null; then
    up=1
    break
  fi
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 0.2
done
if [ -z "$up" ]; then
  echo "make run: the server did not start on $SERVER_URL (is the port taken? set REELDROP_PORT)" >&2
  exit 1
fi

reeldrop login --server "$SERVER_URL" --email "$DEMO_EMAIL" --password-stdin <"$PASSWORD_FILE"

cat <<MSG

ReelDrop is running.
  server API      $SERVER_URL  (OpenAPI: $SERVER_URL/docs)
  demo instructor $DEMO_EMAIL  (password in $PASSWORD_FILE)
  client data     $REELDROP_HOME
MSG

has_display() { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }
if has_display && "$BIN/reeldrop" gui --help >/dev/null 2>&1; then
  echo "Opening the window; drop a video on it. Closing the window leaves the tray; Ctrl-C here stops everything."
  "$BIN/reeldrop" gui &
  pids+=($!)
  wait "${pids[0]}"
  exit 0
fi

if has_display; then
  echo "This ReelDrop has no window yet; staying up headless."
else
  echo "No display (DISPLAY and WAYLAND_DISPLAY are unset): staying up headless."
fi
cat <<MSG
Use the CLI from another terminal:
  export REELDROP_HOME=$REELDROP_HOME
  $BIN/reeldrop upload ~/Videos/lecture.mp4 --wait
  $BIN/reeldrop status
  $BIN/reeldrop doctor
Press Ctrl-C to stop.
MSG
wait "${pids[0]}"
