#!/usr/bin/env bash
# The whole test run, from a fresh machine: `make test` calls this.
#   tests/run.sh [phase ...]   phases: setup lint sanity units system integration molecule packaging
#                              (and bench: the benchmarks, never part of a default run)
# Installs what is missing, starts the real test systems, runs each phase, stops the systems,
# prints each phase's duration and exits non-zero if any phase failed.
# Runs side by side in one checkout: a build dir another run holds makes this one build in
# $BUILD/runs/<pid>; the test systems are shared and stopped by the last run using them; molecule
# scenarios, which use fixed names and ports, run one at a time on the machine.
# shellcheck disable=SC2317  # phase functions are called indirectly, by name
set -uo pipefail

# shellcheck source=tests/setup.sh
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
claim_build_dir || exit 1
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

# This run is a user of the test systems (tests/infra/infra.sh acquire): systems already up are
# reused; those it starts are stopped by whichever run using them ends last (finish).
INFRA_ACQUIRED=0
infra_start() {
  INFRA_ACQUIRED=1
  bash "$ROOT/tests/infra/infra.sh" acquire $$ || return 1
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
  (cd "$ROOT" && python -m pytest -p no:cacheprovider -q --durations=15 "${tests[@]}")
}

# RUNBOOK_INTEGRATION_TARGETS / RUNBOOK_UNIT_TESTS / RUNBOOK_SYSTEM_TESTS narrow a run.
phase_integration() {
  local targets
  read -ra targets <<<"${RUNBOOK_INTEGRATION_TARGETS:-}"
  (cd "$COLLECTION" && ansible_test integration --local --python 3.11 --color no "${targets[@]}")
}

# RUNBOOK_MOLECULE_SCENARIOS="local kubernetes" runs only those scenarios.
phase_molecule() {
  local scenario rc=0 found=0
  for scenario in "$COLLECTION"/extensions/molecule/*/molecule.yml; do
    [[ -f "$scenario" ]] || continue
    scenario=$(basename "$(dirname "$scenario")")
    if [[ -n "${RUNBOOK_MOLECULE_SCENARIOS:-}" && " $RUNBOOK_MOLECULE_SCENARIOS " != *" $scenario "* ]]; then
      continue
    fi
    found=1
    molecule_scenario "$scenario" || rc=1
  done
  ((found)) || echo "no molecule scenarios"
  return "$rc"
}

# molecule_scenario NAME: `molecule test` of one scenario, its state under this run's build dir.
# Scenarios use fixed names (namespaces, databases, ports) on the test systems, so each runs once
# at a time on the machine: a run waits, saying for whom, on the scenario's lock in MOLECULE_LOCKS.
MOLECULE_LOCKS=${RUNBOOK_MOLECULE_LOCKS:-${TMPDIR:-/tmp}/runbook-ops-molecule}
molecule_scenario() {
  local scenario=$1 lock
  mkdir -p "$MOLECULE_LOCKS" "$BUILD/molecule/$scenario" || return 1
  lock=$MOLECULE_LOCKS/$scenario.lock
  if ! flock -n "$lock" true; then
    echo "waiting for the molecule scenario $scenario of another run: $(cat "$lock.holder" 2>/dev/null)"
  fi
  # -o: the lock stays with flock, not with the instances and servers the scenario starts.
  # shellcheck disable=SC2016  # the inner script expands its own arguments
  (cd "$COLLECTION/extensions" &&
    MOLECULE_EPHEMERAL_DIRECTORY=$BUILD/molecule/$scenario flock -o "$lock" bash -c \
      'echo "run $1 in $2 since $(date -u +%FT%TZ)" >"$3.holder"; shift 3; exec "$@"' \
      molecule-lock "$$" "$BUILD" "$lock" molecule test -s "$scenario")
}

# Benchmarks print ratios against baselines measured in the same run; they assert nothing.
phase_bench() {
  local script rc=0
  for script in "$ROOT"/benchmarks/[a-z]*.py; do
    python "$script" || rc=1
  done
  return "$rc"
}

# The phases against the test systems run in lanes at once (RUNBOOK_LANES, lanes separated by
# "|", "serial" for one after another). They share the systems but not their objects: namespaces,
# databases, ports and nginx prefixes of their own, molecule scenarios one at a time. On two cores
# a lane is mostly one ansible-playbook at a time waiting on rollouts and observation windows, so
# two lanes keep both cores busy.
LANES=${RUNBOOK_LANES:-system|integration molecule}

main() {
  local phases=("$@")
  ((${#phases[@]})) || phases=("${ALL_PHASES[@]}")
  local started=$SECONDS
  trap finish EXIT
  run_phase setup setup || { print_summary; exit 1; }
  if needs_infra "${phases[@]}"; then
    run_phase infra infra_start || { print_summary; exit 1; }
  fi
  local p laned=()
  for p in "${phases[@]}"; do
    [[ $p == setup ]] && continue # done above, for every run
    if in_lanes "$p" && [[ $LANES != serial ]]; then
      laned+=("$p")
      continue
    fi
    ((${#laned[@]})) && { run_lanes "${laned[@]}"; laned=(); }
    run_phase "$p" "phase_$p" || show_failed_systems
  done
  ((${#laned[@]})) && run_lanes "${laned[@]}"
  SUMMARY+=("$(printf '%-12s %-4s %5ss' total "$([[ $FAILED -eq 0 ]] && echo ok || echo FAIL)" "$((SECONDS - started))")")
  print_summary
  exit $FAILED
}

# in_lanes PHASE: the phase is in one of the LANES.
in_lanes() {
  [[ " ${LANES//|/ } " == *" $1 "* ]]
}

# run_lanes PHASE...: the given phases, each lane of LANES (restricted to them) in a subshell of its
# own, all at once; each line of output carries its lane's first phase, and each lane's phase
# durations and failures join this run's.
run_lanes() {
  local wanted=" $* " lanes lane phase dir index=0 pids=() names=()
  dir=$(mktemp -d "${TMPDIR:-/tmp}/runbook-lanes.XXXXXX") || return 1
  IFS='|' read -ra lanes <<<"$LANES"
  for lane in "${lanes[@]}"; do
    local mine=()
    for phase in $lane; do [[ $wanted == *" $phase "* ]] && mine+=("$phase"); done
    ((${#mine[@]})) || continue
    index=$((index + 1))
    names+=("(${mine[*]})")
    run_lane "$dir/$index" "${mine[@]}" 2>&1 | sed -u "s/^/[${mine[0]}] /" &
    pids+=($!)
  done
  say "in lanes at once: ${names[*]}"
  wait "${pids[@]}"
  for ((index = 1; index <= ${#names[@]}; index++)); do
    [[ -f $dir/$index.summary ]] && mapfile -t -O "${#SUMMARY[@]}" SUMMARY <"$dir/$index.summary"
    [[ $(cat "$dir/$index.rc" 2>/dev/null) == 0 ]] || FAILED=1
  done
  rm -rf "$dir"
}

# run_lane FILE PHASE...: the phases one after another; FILE.summary gets their durations, FILE.rc 0 or 1.
run_lane() {
  local file=$1 p
  shift
  SUMMARY=()
  FAILED=0
  for p in "$@"; do
    run_phase "$p" "phase_$p" || show_failed_systems
  done
  printf '%s\n' "${SUMMARY[@]}" >"$file.summary"
  echo "$FAILED" >"$file.rc"
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

# needs_infra PHASE...: some phase runs against the test systems (setup, lint, sanity and units do not).
needs_infra() {
  local p
  for p in "$@"; do
    case $p in setup|lint|sanity|units) ;; *) return 0 ;; esac
  done
  return 1
}

# At exit: no longer a user of the test systems (the last user stops what users started), and
# the build dir is free for the next run.
finish() {
  ((INFRA_ACQUIRED)) && bash "$ROOT/tests/infra/infra.sh" release $$
  release_build_dir
}

print_summary() {
  say "phase durations"
  printf '%s\n' "${SUMMARY[@]}"
}

main "$@"
