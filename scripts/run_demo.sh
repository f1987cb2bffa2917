#!/usr/bin/env bash
# Start a django-q2 worker in the background and the development server; stop both when
# either stops or this script is stopped (Ctrl-C, SIGTERM, the terminal closing).
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
mkdir -p var
# The worker in a process group of its own (setsid): stopping the group stops the cluster's
# sentinel, pusher, monitor and workers together, whatever signals each of them handles.
setsid .venv/bin/python manage.py qcluster > var/worker.log 2>&1 &
WORKER=$!
SERVER=""

stop() {
  trap - EXIT INT TERM
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  kill -TERM -- "-$WORKER" 2>/dev/null || true
  # django-q2 finishes the running task on SIGTERM; after 10 s the group is killed.
  for _ in $(seq 20); do
    kill -0 -- "-$WORKER" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL -- "-$WORKER" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'stop; exit 143' TERM
trap 'stop; exit 130' INT

echo "Worker started (pid $WORKER, log var/worker.log); it analyses queued images in the background."
echo
echo "  Admin:  http://$HOST:$PORT/admin/   (credentials printed above; default admin / photodesk-demo)"
echo "  Search from the shell: .venv/bin/python manage.py search \"a cat\""
echo
# In the background with `wait`, so a signal to this script runs the trap at once (bash
# defers traps until a foreground command returns).
.venv/bin/python manage.py runserver "$HOST:$PORT" --noreload &
SERVER=$!
wait "$SERVER"
