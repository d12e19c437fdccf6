#!/usr/bin/env bash
# Start, restart or stop one detached application instance, tracked by a pid file. The command
# of each start is kept next to the pid file, so a rollback can bring a stopped color back as it ran.
#   instance.sh start PIDFILE LOGFILE COMMAND [ARG...]
#   instance.sh restart PIDFILE LOGFILE      (only when not running)
#   instance.sh stop PIDFILE
set -euo pipefail

running() {
  [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

stop() {
  local pidfile=$1 pid n=0
  if ! running "$pidfile"; then
    rm -f "$pidfile"
    echo "not running"
    return 0
  fi
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((n < 100)); do sleep 0.1; n=$((n + 1)); done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  echo "stopped $pid"
}

launch() {
  local pidfile=$1 logfile=$2; shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
  echo "started $!"
}

start() {
  local pidfile=$1 logfile=$2; shift 2
  stop "$pidfile" >/dev/null
  mkdir -p "$(dirname "$pidfile")"
  printf '%s\0' "$@" >"$pidfile.cmd"
  launch "$pidfile" "$logfile" "$@"
}

restart() {
  local pidfile=$1 logfile=$2 command=()
  if running "$pidfile"; then
    echo "running $(cat "$pidfile")"
    return 0
  fi
  [[ -s "$pidfile.cmd" ]] || { echo "no recorded command in $pidfile.cmd" >&2; exit 1; }
  mapfile -d '' -t command <"$pidfile.cmd"
  launch "$pidfile" "$logfile" "${command[@]}"
}

action=${1:-}
shift || true
case $action in
  start) start "$@" ;;
  restart) restart "$@" ;;
  stop) stop "$@" ;;
  *) echo "usage: $0 start PIDFILE LOGFILE COMMAND... | restart PIDFILE LOGFILE | stop PIDFILE" >&2; exit 2 ;;
esac
