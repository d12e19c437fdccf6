# Shared helpers for the tests/infra scripts. Source it; do not run it.
# shellcheck shell=bash

INFRA_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$INFRA_HOME/../.." && pwd)
STATE_ROOT=${RUNBOOK_INFRA_DIR:-$REPO_ROOT/.build/infra}
COMPONENT=$(basename "$0" .sh)
mkdir -p "$STATE_ROOT"
# shellcheck source=tests/infra/proc.sh
. "$INFRA_HOME/proc.sh"

log() { printf '[%s] %s\n' "${COMPONENT:-infra}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# pid_alive FILE: the process whose pid FILE holds is running.
pid_alive() {
  [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

# start_daemon NAME LOGFILE CMD...: start CMD in the background, its pid in $STATE/NAME.pid.
start_daemon() {
  local name=$1 logfile=$2; shift 2
  local pidfile="$STATE/$name.pid"
  if pid_alive "$pidfile"; then
    log "$name already running (pid $(cat "$pidfile"))"
    return 0
  fi
  setsid "$@" >>"$logfile" 2>&1 < /dev/null &
  echo $! >"$pidfile"
  log "$name started (pid $!), log: $logfile"
}

# stop_daemon NAME: TERM the daemon, KILL it after 10 s.
stop_daemon() {
  local pidfile="$STATE/$1.pid" pid n
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for ((n = 0; n < 100; n++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  rm -f "$pidfile"
  log "$1 stopped"
}

# wait_until SECONDS DESCRIPTION CMD...: poll CMD until it succeeds or the time is up.
wait_until() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.3
  done
}

# The user servers that refuse to run as root (PostgreSQL) run as.
unprivileged_user() {
  local user=runbook-test
  if ! id "$user" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
  fi
  echo "$user"
}

# as_service_user CMD...: run CMD as the unprivileged user when we are root.
as_service_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$(unprivileged_user)" -- "$@"
  else
    "$@"
  fi
}

# write_env FILE KEY VALUE...: shell-sourceable state, one KEY=VALUE a line.
write_env() {
  local file=$1; shift
  : >"$file"
  while (($#)); do
    printf '%s=%q\n' "$1" "$2" >>"$file"
    shift 2
  done
}

apt_install() {
  [[ $(id -u) -eq 0 ]] || die "missing packages $*; install them (apt-get install $*) or run as root"
  log "installing Debian packages: $*"
  if [[ ! -f "$STATE_ROOT/.apt-updated" ]]; then
    apt-get update -qq && touch "$STATE_ROOT/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
