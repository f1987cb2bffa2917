#!/usr/bin/env bash
# Start a django-q2 worker in the background and the development server in the foreground;
# stop the worker when the server stops.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
mkdir -p var
.venv/bin/python manage.py qcluster > var/worker.log 2>&1 &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true; wait "$WORKER" 2>/dev/null || true' EXIT INT TERM
echo "Worker started (pid $WORKER, log var/worker.log); it analyses queued images in the background."
echo
echo "  Admin:  http://$HOST:$PORT/admin/   (credentials printed above; default admin / photodesk-demo)"
echo "  Search from the shell: .venv/bin/python manage.py search \"a cat\""
echo
.venv/bin/python manage.py runserver "$HOST:$PORT" --noreload
