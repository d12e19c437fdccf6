#!/usr/bin/env bash
# Start, stop or inspect the real systems the tests run against.
#   usage: infra.sh start|stop|status|logs [k8s|postgres|s3|nginx ...]   (default: all)
# After start, $RUNBOOK_INFRA_DIR/env.sh exports every connection setting and
# $RUNBOOK_INFRA_DIR/vars.json holds them for Ansible (-e @vars.json, integration_config.yml).
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

cmd=${1:-status}; shift || true
components=("$@"); ((${#components[@]})) || components=("${ALL[@]}")
rc=0
case $cmd in
  start)
    for c in "${components[@]}"; do
      if ! "$INFRA_HOME/$c.sh" start; then
        log "$c failed to start"; show_logs "$c" >&2; rc=1; break
      fi
    done
    render ;;
  stop)
    for ((i = ${#components[@]} - 1; i >= 0; i--)); do "$INFRA_HOME/${components[$i]}.sh" stop || rc=1; done
    render ;;
  status)
    for c in "${components[@]}"; do "$INFRA_HOME/$c.sh" status || rc=1; done ;;
  logs)
    for c in "${components[@]}"; do show_logs "$c"; done ;;
  *) echo "usage: $0 start|stop|status|logs [component ...]" >&2; exit 2 ;;
esac
exit $rc
