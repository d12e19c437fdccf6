#!/usr/bin/env bash
# moto in server mode on 127.0.0.1: the real S3 HTTP API (and ELBv2 and the rest of moto).
# The multipart minimum part size is lowered in the server so multipart paths run with small files.
#   usage: s3.sh start|stop|status|env
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STATE="$STATE_ROOT/s3"
mkdir -p "$STATE"
ENV_FILE="$STATE/env"
MIN_PART_SIZE=${RUNBOOK_S3_MIN_PART_SIZE:-262144}
PYTHON=${RUNBOOK_PYTHON:-python3}

running() {
  [[ -f "$ENV_FILE" ]] && pid_alive "$STATE/moto.pid" \
    && curl -fsS "$(. "$ENV_FILE"; echo "$AWS_ENDPOINT_URL")/moto-api/" >/dev/null
}

start() {
  if running; then log "already running"; return 0; fi
  "$PYTHON" -c 'import moto.server' 2>/dev/null || die "moto[server] is not installed for $PYTHON (pip install 'moto[server]')"
  local port
  port=$(free_port)
  write_env "$ENV_FILE" AWS_ENDPOINT_URL "http://127.0.0.1:$port" AWS_ACCESS_KEY_ID testing \
    AWS_SECRET_ACCESS_KEY testing AWS_DEFAULT_REGION us-east-1 S3_MIN_PART_SIZE "$MIN_PART_SIZE"
  S3_UPLOAD_PART_MIN_SIZE=$MIN_PART_SIZE start_daemon moto "$STATE/moto.log" \
    "$PYTHON" -m moto.server -H 127.0.0.1 -p "$port"
  wait_until 30 "moto server on port $port" running || die "moto did not answer, see $STATE/moto.log"
  log "running on http://127.0.0.1:$port (multipart minimum $MIN_PART_SIZE bytes)"
}

stop() {
  stop_daemon moto
  rm -f "$ENV_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "s3: running"; else echo "s3: stopped"; exit 1; fi ;;
  env) cat "$ENV_FILE" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
