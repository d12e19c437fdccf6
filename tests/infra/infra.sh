#!/usr/bin/env bash
# Start, stop or inspect the real systems the tests run against.
#   usage: infra.sh start|stop|status|logs [k8s|postgres|s3|nginx ...]   (default: all)
#          infra.sh acquire PID [component ...]   PID uses the systems; start those that are down
#          infra.sh release PID                   PID is done; the last user stops what users started
#          infra.sh users                         the processes using the systems now
# After start, $RUNBOOK_INFRA_DIR/env.sh exports every connection setting and
# $RUNBOOK_INFRA_DIR/vars.json holds them for Ansible (-e @vars.json, integration_config.yml).
#
# Test runs share the systems of one RUNBOOK_INFRA_DIR through acquire and release: each user is a
# file users/PID (holding the process's start time, so a reused pid does not count), users/started
# lists the components a user found down and started. The last live user to release stops those,
# and only those: systems that were up before any user (make infra-start) stay up. Users whose
# process is gone are dropped at every acquire and release, so a killed run holds nothing.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ALL=(postgres s3 nginx k8s)

log_files() {
  case $1 in
    k8s) ls "$STATE_ROOT"/k8s/logs/*.log 2>/dev/null ;;
    postgres) ls "$STATE_ROOT"/postgres/*.log 2>/dev/null ;;
    s3) ls "$STATE_ROOT"/s3/moto.log 2>/dev/null ;;
    nginx) ls "$STATE_ROOT"/nginx/logs/error.log 2>/dev/null ;;
  esac
}

show_logs() {
  local f
  for f in $(log_files "$1"); do
    printf '\n===== %s (last 60 lines) =====\n' "$f"
    tail -n 60 "$f"
  done
}

render() {
  (
    set -a
    for c in "${ALL[@]}"; do
      # shellcheck disable=SC1090
      [[ -f "$STATE_ROOT/$c/env" ]] && . "$STATE_ROOT/$c/env"
    done
    set +a
    python3 "$INFRA_HOME/render_vars.py" "$STATE_ROOT"
  )
}

USERS=$STATE_ROOT/users

# with_users_lock CMD...: run CMD holding the lock of the users' directory. CMD's daemons do not
# inherit the lock (fd 9 is closed for every command that starts or stops a system).
with_users_lock() {
  mkdir -p "$USERS"
  (
    exec 9>"$STATE_ROOT/users.lock"
    if ! flock -n 9; then
      log "waiting for another run to finish starting or stopping the test systems ($STATE_ROOT)"
      flock 9
    fi
    "$@"
  )
}

# live_users: drop the users whose process is gone; print the pids of the others.
live_users() {
  local file pid
  for file in "$USERS"/[0-9]*; do
    [[ -f "$file" ]] || continue
    pid=$(basename "$file")
    if process_alive "$pid" "$(cat "$file")"; then
      echo "$pid"
    else
      log "dropping user $pid: its process is gone"
      rm -f "$file"
    fi
  done
}

# shellcheck disable=SC2317  # called through with_users_lock
acquire() {
  local pid=$1; shift
  local c down=()
  kill -0 "$pid" 2>/dev/null || die "acquire: no process $pid"
  live_users >/dev/null
  proc_start "$pid" >"$USERS/$pid"
  for c in "$@"; do
    "$INFRA_HOME/$c.sh" status >/dev/null 2>&1 || down+=("$c")
  done
  if ((${#down[@]})); then
    # Recorded before starting: a start that fails halfway is still stopped by the last user.
    { cat "$USERS/started" 2>/dev/null; printf '%s\n' "${down[@]}"; } | sort -u >"$USERS/started.new"
    mv "$USERS/started.new" "$USERS/started"
  fi
  log "user $pid; test systems started by users: $(tr '\n' ' ' 2>/dev/null <"$USERS/started")"
  start_components "$@" 9>&-
}

# shellcheck disable=SC2317  # called through with_users_lock
release() {
  local pid=$1 others started=() c i
  rm -f "$USERS/$pid"
  others=$(live_users | tr '\n' ' ')
  if [[ -n "$others" ]]; then
    log "user $pid done; left running for $others"
    return 0
  fi
  [[ -f "$USERS/started" ]] || { log "user $pid done; the systems were up before any user, left running"; return 0; }
  for c in "${ALL[@]}"; do
    grep -qx "$c" "$USERS/started" && started+=("$c")
  done
  log "user $pid was the last; stopping what users started: ${started[*]:-nothing}"
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do "$INFRA_HOME/${started[$i]}.sh" stop 9>&- || rc=1; done
  rm -f "$USERS/started"
  render
  return "$rc"
}

start_components() {
  local c
  for c in "$@"; do
    if ! "$INFRA_HOME/$c.sh" start; then
      log "$c failed to start"; show_logs "$c" >&2; rc=1; break
    fi
  done
  render
  return "$rc"
}

cmd=${1:-status}; shift || true
case $cmd in
  acquire|release)
    [[ "${1:-}" =~ ^[0-9]+$ ]] || { echo "usage: $0 $cmd PID [component ...]" >&2; exit 2; }
    pid=$1; shift ;;
esac
components=("$@"); ((${#components[@]})) || components=("${ALL[@]}")
rc=0
case $cmd in
  start) start_components "${components[@]}" ;;
  acquire) with_users_lock acquire "$pid" "${components[@]}" || rc=1 ;;
  release) with_users_lock release "$pid" || rc=1 ;;
  users) mkdir -p "$USERS"; live_users ;;
  stop)
    for ((i = ${#components[@]} - 1; i >= 0; i--)); do "$INFRA_HOME/${components[$i]}.sh" stop || rc=1; done
    render ;;
  status)
    for c in "${components[@]}"; do "$INFRA_HOME/$c.sh" status || rc=1; done ;;
  logs)
    for c in "${components[@]}"; do show_logs "$c"; done ;;
  *) echo "usage: $0 start|stop|status|logs|users [component ...], $0 acquire|release PID [component ...]" >&2; exit 2 ;;
esac
exit $rc
