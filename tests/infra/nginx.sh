#!/usr/bin/env bash
# Debian's nginx as a user process with its own prefix, config and pid file.
# Tests drop server blocks into $NGINX_CONF_DIR and reload with $NGINX_RELOAD_CMD.
#   usage: nginx.sh start|stop|status|reload|env
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STATE="$STATE_ROOT/nginx"
mkdir -p "$STATE"/{conf.d,logs,tmp}
ENV_FILE="$STATE/env"

nginx_bin() {
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || apt_install nginx-light >&2
  command -v nginx 2>/dev/null || echo /usr/sbin/nginx
}

running() {
  [[ -f "$ENV_FILE" ]] && pid_alive "$STATE/nginx.pid" && curl -fsS "http://127.0.0.1:$(. "$ENV_FILE"; echo "$NGINX_PORT")/__infra_health" >/dev/null
}

write_config() {
  local port=$1
  cat >"$STATE/nginx.conf" <<CONF
worker_processes 1;
pid $STATE/nginx.pid;
error_log $STATE/logs/error.log info;
events { worker_connections 1024; }
http {
  access_log $STATE/logs/access.log;
  client_body_temp_path $STATE/tmp/body;
  proxy_temp_path $STATE/tmp/proxy;
  fastcgi_temp_path $STATE/tmp/fastcgi;
  uwsgi_temp_path $STATE/tmp/uwsgi;
  scgi_temp_path $STATE/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    location = /__infra_health { return 200 "ok\n"; }
  }
  include $STATE/conf.d/*.conf;
}
CONF
}

start() {
  if running; then log "already running"; return 0; fi
  local bin port
  bin=$(nginx_bin)
  port=$(free_port)
  write_config "$port"
  local base=("$bin" -p "$STATE" -c "$STATE/nginx.conf")
  write_env "$ENV_FILE" NGINX_BIN "$bin" NGINX_PORT "$port" NGINX_PREFIX "$STATE" \
    NGINX_CONF_DIR "$STATE/conf.d" NGINX_CONF "$STATE/nginx.conf" \
    NGINX_TEST_CMD "${base[*]} -t -q" NGINX_RELOAD_CMD "${base[*]} -s reload"
  "${base[@]}" -t -q 2>>"$STATE/logs/error.log" || die "configuration test failed, see $STATE/logs/error.log"
  "${base[@]}" 2>>"$STATE/logs/error.log"
  wait_until 10 "nginx on port $port" running || die "nginx did not answer, see $STATE/logs/error.log"
  log "running on 127.0.0.1:$port (prefix $STATE)"
}

stop() {
  [[ -f "$ENV_FILE" ]] || { log "not running"; return 0; }
  if pid_alive "$STATE/nginx.pid"; then
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    "$NGINX_BIN" -p "$STATE" -c "$STATE/nginx.conf" -s quit 2>/dev/null || true
    wait_until 10 "nginx to exit" bash -c "! kill -0 $(cat "$STATE/nginx.pid") 2>/dev/null" || stop_daemon nginx
  fi
  rm -f "$ENV_FILE"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "nginx: running"; else echo "nginx: stopped"; exit 1; fi ;;
  reload) . "$ENV_FILE"; eval "$NGINX_RELOAD_CMD" ;;
  env) cat "$ENV_FILE" ;;
  *) echo "usage: $0 start|stop|status|reload|env" >&2; exit 2 ;;
esac
