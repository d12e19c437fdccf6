#!/bin/sh
# Start or stop one detached application instance, tracked by a pid file.
#   instance.sh start PIDFILE LOGFILE COMMAND [ARG...]
#   instance.sh stop PIDFILE
set -eu

stop() {
  pidfile=$1
  [ -s "$pidfile" ] || { echo "not running"; return 0; }
  pid=$(cat "$pidfile")
  if kill -TERM "$pid" 2>/dev/null; then
    n=0
    while kill -0 "$pid" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
    echo "stopped $pid"
  else
    echo "not running"
  fi
  rm -f "$pidfile"
}

start() {
  pidfile=$1 logfile=$2
  shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  stop "$pidfile" >/dev/null
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
  echo "started $!"
}

action=$1
shift
case $action in
  start) start "$@" ;;
  stop) stop "$@" ;;
  *) echo "usage: $0 start PIDFILE LOGFILE COMMAND... | stop PIDFILE" >&2; exit 2 ;;
esac
