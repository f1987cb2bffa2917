#!/usr/bin/env bash
# Install (Debian's package) and start a local PostgreSQL for tests and production-like runs.
#   scripts/postgres.sh start   -> prints the DATABASE_URL to use
#   scripts/postgres.sh stop | status
set -euo pipefail
PGUSER_NAME="${PHOTODESK_PG_USER:-photodesk}"
PGPASSWORD_VALUE="${PHOTODESK_PG_PASSWORD:-photodesk}"
PGDB="${PHOTODESK_PG_DB:-photodesk}"
PORT="${PHOTODESK_PG_PORT:-5432}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install() {
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "Installing PostgreSQL from Debian's packages..." >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  fi
}

cluster() { pg_lsclusters --no-header | awk 'NR==1 {print $1, $2}'; }

start() {
  install
  read -r version name < <(cluster)
  if [ -z "${version:-}" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -1); name=main
    as_root pg_createcluster "$version" "$name" -p "$PORT" >/dev/null
  fi
  as_root pg_ctlcluster "$version" "$name" start 2>/dev/null || true
  for _ in $(seq 1 30); do
    if as_root runuser -u postgres -- pg_isready -q -p "$PORT"; then break; fi
    sleep 1
  done
  as_root runuser -u postgres -- pg_isready -q -p "$PORT" || { echo "PostgreSQL did not start" >&2; exit 1; }
  as_root runuser -u postgres -- psql -q -p "$PORT" -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname='$PGUSER_NAME'" | grep -q 1 ||
    as_root runuser -u postgres -- psql -q -p "$PORT" -c \
      "CREATE ROLE $PGUSER_NAME LOGIN CREATEDB PASSWORD '$PGPASSWORD_VALUE'"
  as_root runuser -u postgres -- psql -q -p "$PORT" -tAc \
    "SELECT 1 FROM pg_database WHERE datname='$PGDB'" | grep -q 1 ||
    as_root runuser -u postgres -- createdb -p "$PORT" -O "$PGUSER_NAME" "$PGDB"
  echo "postgres://$PGUSER_NAME:$PGPASSWORD_VALUE@127.0.0.1:$PORT/$PGDB"
}

case "${1:-}" in
  start) start ;;
  stop) read -r version name < <(cluster); as_root pg_ctlcluster "$version" "$name" stop ;;
  status) as_root runuser -u postgres -- pg_isready -p "$PORT" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
