#!/usr/bin/env bash
# `make run`: the whole local stack on its embedded defaults.
# Server (API + embedded B2-compatible store, SQLite) -> daemon -> signed-in demo instructor -> app.
# Everything lives under .reeldrop-dev/ in the checkout; Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/.venv/bin"
DEV="$PWD/.reeldrop-dev"
PORT="${REELDROP_PORT:-8750}"
SERVER_URL="http://127.0.0.1:$PORT"
SERVER_DATA="$DEV/server"
export REELDROP_HOME="$DEV/client"
mkdir -p "$DEV" "$SERVER_DATA" "$REELDROP_HOME"
chmod 700 "$DEV"

DEMO_EMAIL="instructor@reeldrop.local"
PASSWORD_FILE="$DEV/demo-password"
if [ ! -s "$PASSWORD_FILE" ]; then
  (umask 077; "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(12))' >"$PASSWORD_FILE")
fi

pids=()
cleanup() {
  "$BIN/python" -c 'from shared.control.client import ControlClient; ControlClient.from_runtime_dir().shutdown()' \
    >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

"$BIN/reeldrop" server migrate --data-dir "$SERVER_DATA" >/dev/null
if "$BIN/reeldrop" server user add "$DEMO_EMAIL" --role instructor --password-stdin \
    --data-dir "$SERVER_DATA" <"$PASSWORD_FILE" >/dev/null 2>&1; then
  course_id=$("$BIN/reeldrop" server course add "Demo course" --instructor "$DEMO_EMAIL" --data-dir "$SERVER_DATA")
  "$BIN/reeldrop" server video add "$course_id" "Lecture 1" --data-dir "$SERVER_DATA" >/dev/null
fi

"$BIN/reeldrop" server serve --data-dir "$SERVER_DATA" --port "$PORT" &
pids+=($!)
for _ in $(seq 1 100); do
  "$BIN/python" -c "import httpx,sys; sys.exit(httpx.get('$SERVER_URL/healthz').status_code != 200)" \
    2>/dev/null && break
  sleep 0.2
done

"$BIN/reeldrop" login --server "$SERVER_URL" --email "$DEMO_EMAIL" --password-stdin <"$PASSWORD_FILE"

cat <<MSG

ReelDrop is running.
  server API      $SERVER_URL  (OpenAPI: $SERVER_URL/docs)
  demo instructor $DEMO_EMAIL  (password in $PASSWORD_FILE)
  client data     $REELDROP_HOME
  try:            REELDROP_HOME=$REELDROP_HOME $BIN/reeldrop upload ~/Videos/lecture.mp4 --wait
Press Ctrl-C to stop.
MSG

if "$BIN/reeldrop" app --help >/dev/null 2>&1 && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  "$BIN/reeldrop" app
else
  wait "${pids[0]}"
fi
