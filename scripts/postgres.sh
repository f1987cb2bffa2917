#!/usr/bin/env bash
# Install (Debian's package) and start a local PostgreSQL for tests and production-like runs.
#   scripts/postgres.sh start   -> prints the DATABASE_URL to use
#   scripts/postgres.sh stop | status
#
# The server is shared: several suites (worktrees, CI) may use it at once. Each test run makes
# a test database of its own (settings/test.py), `start` may run concurrently, and `stop`
# refuses while other clients are connected (PHOTODESK_PG_FORCE_STOP=1 to stop anyway).
set -euo pipefail
PGUSER_NAME="${PHOTODESK_PG_USER:-photodesk}"
PGPASSWORD_VALUE="${PHOTODESK_PG_PASSWORD:-photodesk}"
PGDB="${PHOTODESK_PG_DB:-photodesk}"
PORT="${PHOTODESK_PG_PORT:-5432}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root runuser -u postgres -- "$@"; }
sql() { as_postgres psql -q -p "$PORT" -tAc "$1"; }

install() {
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "Installing PostgreSQL from Debian's packages..." >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  fi
}

# version, name and port of the first cluster (empty when there is none)
cluster() { pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1, $2, $3}'; }

# Create the role or the database unless it exists. Two runs starting at once may both find it
# missing: the loser's "already exists" is fine, as long as it exists afterwards.
ensure() { # ensure CHECK_SQL CREATE_COMMAND...
  local check="$1"; shift
  sql "$check" | grep -q 1 && return 0
  "$@" >/dev/null 2>&1 || true
  sql "$check" | grep -q 1 || { echo "could not create: $*" >&2; exit 1; }
}

start() {
  install
  local version name port
  read -r version name port < <(cluster) || true
  if [ -z "${version:-}" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -1); name=main
    as_root pg_createcluster "$version" "$name" -p "$PORT" >/dev/null
  else
    PORT="$port"  # the cluster's own port, whatever PHOTODESK_PG_PORT says
  fi
  as_root pg_ctlcluster "$version" "$name" start 2>/dev/null || true
  for _ in $(seq 1 30); do
    if as_postgres pg_isready -q -p "$PORT"; then break; fi
    sleep 1
  done
  as_postgres pg_isready -q -p "$PORT" || { echo "PostgreSQL did not start" >&2; exit 1; }
  ensure "SELECT 1 FROM pg_roles WHERE rolname='$PGUSER_NAME'" \
    as_postgres psql -q -p "$PORT" -c "CREATE ROLE $PGUSER_NAME LOGIN CREATEDB PASSWORD '$PGPASSWORD_VALUE'"
  ensure "SELECT 1 FROM pg_database WHERE datname='$PGDB'" \
    as_postgres createdb -p "$PORT" -O "$PGUSER_NAME" "$PGDB"
  echo "postgres://$PGUSER_NAME:$PGPASSWORD_VALUE@127.0.0.1:$PORT/$PGDB"
}

stop() {
  local version name port others
  read -r version name port < <(cluster) || true
  [ -n "${version:-}" ] || { echo "no cluster" >&2; return 0; }
  PORT="$port"
  if as_postgres pg_isready -q -p "$PORT" && [ "${PHOTODESK_PG_FORCE_STOP:-0}" != 1 ]; then
    others=$(sql "SELECT count(*) FROM pg_stat_activity
                  WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")
    if [ "${others:-0}" -gt 0 ]; then
      echo "not stopping: $others other client(s) connected (PHOTODESK_PG_FORCE_STOP=1 to stop)" >&2
      exit 1
    fi
  fi
  as_root pg_ctlcluster "$version" "$name" stop
}

status() {
  local version name port
  read -r version name port < <(cluster) || true
  as_postgres pg_isready -p "${port:-$PORT}"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
