#!/usr/bin/env bash
# The whole test run, from a fresh machine: `make test` calls this.
#   tests/run.sh [phase ...]   phases: setup lint sanity units system integration molecule packaging
#                              (and bench: the benchmarks, never part of a default run)
# Installs what is missing, starts the real test systems, runs each phase, stops the systems,
# prints each phase's duration and exits non-zero if any phase failed.
# shellcheck disable=SC2317  # phase functions are called indirectly, by name
set -uo pipefail

# shellcheck source=tests/setup.sh
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# shellcheck source=tests/packaging.sh
. "$(dirname "${BASH_SOURCE[0]}")/packaging.sh"

ALL_PHASES=(lint sanity units system integration molecule packaging)
declare -a SUMMARY=()
FAILED=0

say() { printf '\n\033[1m=== %s\033[0m\n' "$*"; }

run_phase() {
  local name=$1; shift
  local started=$SECONDS rc
  say "$name"
  "$@"
  rc=$?
  SUMMARY+=("$(printf '%-12s %-4s %5ss' "$name" "$([[ $rc -eq 0 ]] && echo ok || echo FAIL)" "$((SECONDS - started))")")
  if [[ $rc -ne 0 ]]; then FAILED=1; fi
  return "$rc"
}

# Systems that were already up (a developer's, another run's) are reused and left running.
INFRA_OWNED=0
infra_start() {
  bash "$ROOT/tests/infra/infra.sh" status >/dev/null 2>&1 || INFRA_OWNED=1
  bash "$ROOT/tests/infra/infra.sh" start || return 1
  mkdir -p "$COLLECTION/tests/integration"
  cp "$RUNBOOK_INFRA_DIR/vars.json" "$COLLECTION/tests/integration/integration_config.yml"
  # shellcheck disable=SC1091
  . "$RUNBOOK_INFRA_DIR/env.sh"
}

phase_lint() {
  (cd "$COLLECTION" && ansible-lint --profile production --offline)
}

phase_sanity() {
  (cd "$COLLECTION" && ansible_test sanity --venv --requirements --python 3.11 --color no)
}

phase_units() {
  local tests
  read -ra tests <<<"${RUNBOOK_UNIT_TESTS:-}"
  (cd "$COLLECTION" && ansible_test units --venv --requirements --python 3.11 --color no "${tests[@]}")
}

phase_system() {
  local tests
  read -ra tests <<<"${RUNBOOK_SYSTEM_TESTS:-tests/system}"
  (cd "$ROOT" && python -m pytest -p no:cacheprovider -q "${tests[@]}")
}

# RUNBOOK_INTEGRATION_TARGETS / RUNBOOK_UNIT_TESTS / RUNBOOK_SYSTEM_TESTS narrow a run.
phase_integration() {
  local targets
  read -ra targets <<<"${RUNBOOK_INTEGRATION_TARGETS:-}"
  (cd "$COLLECTION" && ansible_test integration --local --python 3.11 --color no "${targets[@]}")
}

phase_molecule() {
  local scenario rc=0 found=0
  for scenario in "$COLLECTION"/extensions/molecule/*/molecule.yml; do
    [[ -f "$scenario" ]] || continue
    found=1
    scenario=$(basename "$(dirname "$scenario")")
    (cd "$COLLECTION/extensions" && molecule test -s "$scenario") || rc=1
  done
  ((found)) || echo "no molecule scenarios"
  return "$rc"
}

# Benchmarks print ratios against baselines measured in the same run; they assert nothing.
phase_bench() {
  local script rc=0
  for script in "$ROOT"/benchmarks/[a-z]*.py; do
    python "$script" || rc=1
  done
  return "$rc"
}

main() {
  local phases=("$@")
  ((${#phases[@]})) || phases=("${ALL_PHASES[@]}")
  local started=$SECONDS
  run_phase setup setup || { print_summary; exit 1; }
  run_phase infra infra_start || { print_summary; exit 1; }
  trap stop_owned_infra EXIT
  local p
  for p in "${phases[@]}"; do
    run_phase "$p" "phase_$p" || show_failed_systems
  done
  SUMMARY+=("$(printf '%-12s %-4s %5ss' total "$([[ $FAILED -eq 0 ]] && echo ok || echo FAIL)" "$((SECONDS - started))")")
  print_summary
  exit $FAILED
}

# After a failed phase: the logs of every test system that is no longer running.
show_failed_systems() {
  local component
  for component in postgres s3 nginx k8s; do
    if ! bash "$ROOT/tests/infra/infra.sh" status "$component" >/dev/null 2>&1; then
      say "$component is down; its logs"
      bash "$ROOT/tests/infra/infra.sh" logs "$component"
    fi
  done
  echo "(test system logs: $RUNBOOK_INFRA_DIR)"
}

stop_owned_infra() {
  ((INFRA_OWNED)) && bash "$ROOT/tests/infra/infra.sh" stop >/dev/null 2>&1
  return 0
}

print_summary() {
  say "phase durations"
  printf '%s\n' "${SUMMARY[@]}"
}

main "$@"
