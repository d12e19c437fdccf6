#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 with password (scram) authentication.
#   usage: postgres.sh start|stop|status|env
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STATE="$STATE_ROOT/postgres"
mkdir -p "$STATE"
ENV_FILE="$STATE/env"

# The newest server version installed (Debian keeps each under /usr/lib/postgresql/<major>).
pg_bindir() {
  compgen -G '/usr/lib/postgresql/*/bin' >/dev/null || apt_install postgresql postgresql-client >&2
  compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1
}

running() {
  [[ -f "$ENV_FILE" ]] || return 1
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  PGPASSWORD=$PGPASSWORD "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER" -d postgres
}

start() {
  if running; then log "already running on port $PGPORT"; return 0; fi
  local bindir port password data
  bindir=$(pg_bindir)
  # Data and socket live outside the checkout: the unprivileged user may not traverse it.
  data=$(mktemp -d /tmp/runbook-pg.XXXXXX)
  port=$(free_port)
  password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
  printf '%s\n' "$password" >"$data/pwfile"
  chmod 755 "$data"
  [[ $(id -u) -eq 0 ]] && chown -R "$(unprivileged_user)" "$data"
  as_service_user "$bindir/initdb" -D "$data/data" -U runbook_admin --pwfile="$data/pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 \
    || { cat "$STATE/initdb.log" >&2; die "initdb failed"; }
  rm -f "$data/pwfile"
  cat >>"$data/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
  write_env "$ENV_FILE" PG_BINDIR "$bindir" PG_DATA "$data" PGHOST 127.0.0.1 PGPORT "$port" \
    PGUSER runbook_admin PGPASSWORD "$password" PGDATABASE postgres
  chmod 600 "$ENV_FILE"
  touch "$STATE/postgres.log"
  [[ $(id -u) -eq 0 ]] && chown "$(unprivileged_user)" "$STATE/postgres.log" && chmod 755 "$STATE"
  as_service_user "$bindir/pg_ctl" -D "$data/data" -l "$STATE/postgres.log" -w -t 60 start >/dev/null \
    || { cat "$STATE/postgres.log" >&2; die "pg_ctl start failed"; }
  running || die "server started but refuses connections"
  log "running on 127.0.0.1:$port (data $data)"
}

stop() {
  [[ -f "$ENV_FILE" ]] || { log "not running"; return 0; }
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  if [[ -d "$PG_DATA/data" ]]; then
    as_service_user "$PG_BINDIR/pg_ctl" -D "$PG_DATA/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DATA"
  fi
  rm -f "$ENV_FILE"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "postgres: running on 127.0.0.1:$PGPORT"; else echo "postgres: stopped"; exit 1; fi ;;
  env) cat "$ENV_FILE" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
