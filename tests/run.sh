#!/usr/bin/env bash
# The whole test run, from a fresh machine: `make test` calls this.
#   tests/run.sh [phase ...]   phases: setup lint sanity units system integration molecule
# Installs what is missing, starts the real test systems, runs each phase, stops the systems,
# prints each phase's duration and exits non-zero if any phase failed.
# shellcheck disable=SC2317  # phase functions are called indirectly, by name
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${RUNBOOK_BUILD_DIR:-$ROOT/.build}
VENV=${RUNBOOK_VENV:-$BUILD/venv}
COLLECTIONS=$BUILD/collections/ansible_collections
COLLECTION=$COLLECTIONS/runbook/ops
export RUNBOOK_INFRA_DIR=${RUNBOOK_INFRA_DIR:-$BUILD/infra}
export RUNBOOK_PYTHON=$VENV/bin/python
export ANSIBLE_COLLECTIONS_PATH=$BUILD/collections
export PIP_DISABLE_PIP_VERSION_CHECK=1

ALL_PHASES=(lint sanity units system integration molecule)
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

system_packages() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
  compgen -G '/usr/lib/postgresql/*/bin' >/dev/null || missing+=(postgresql postgresql-client)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing system packages: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
    return 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

find_python() {
  local candidate
  for candidate in "${RUNBOOK_BASE_PYTHON:-}" python3.11 python3; do
    [[ -n "$candidate" ]] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 or newer is required" >&2
  return 1
}

python_packages() {
  local stamp="$VENV/.requirements.sha256" want
  want=$(cat "$ROOT/requirements.txt" "$ROOT/test-requirements.txt" "$ROOT/tests/constraints.txt" | sha256sum | cut -d' ' -f1)
  if [[ ! -x "$VENV/bin/python" ]]; then
    "$(find_python)" -m venv "$VENV" || return 1
  fi
  [[ -f "$stamp" && $(cat "$stamp") == "$want" ]] && return 0
  "$VENV/bin/python" -m pip install -q --upgrade pip &&
    "$VENV/bin/python" -m pip install -q -r "$ROOT/test-requirements.txt" -c "$ROOT/tests/constraints.txt" &&
    echo "$want" >"$stamp"
}

# ansible-test needs the collection at .../ansible_collections/runbook/ops; the Python package
# `ansible` ships kubernetes.core, linked next to it so both resolve the same way.
stage_collection() {
  rm -rf "$COLLECTION" && mkdir -p "$COLLECTION" "$COLLECTIONS/kubernetes"
  tar -C "$ROOT" --exclude=./.build --exclude=./.git --exclude=./tests/output \
    --exclude='__pycache__' -cf - . | tar -C "$COLLECTION" -xf -
  local site
  site=$("$VENV/bin/python" -c 'import ansible_collections.kubernetes.core as m; print(list(m.__path__)[0])')
  ln -sfn "$site" "$COLLECTIONS/kubernetes/core"
  # ansible-test relies on git to list files when a .git exists; a fresh tree of its own is simpler.
  (cd "$COLLECTION" && git init -q && git add -A >/dev/null 2>&1)
}

# ansible-test runs pip with an environment of its own (HOME, PATH and little else) and bootstraps
# pip with a script from a host the test machines cannot reach. Give it a HOME of its own, kept
# across clones, holding the offline bootstrap and the machine's PIP_* settings as pip.conf.
ANSIBLE_TEST_HOME=${XDG_CACHE_HOME:-$HOME/.cache}/runbook-ops/ansible-test-home

prepare_ansible_test_home() {
  local version
  version=$("$VENV/bin/python" -c 'import re, inspect, ansible_test._internal.python_requirements as r; print(re.search(r"pip=.([0-9.]+)", inspect.getsource(r)).group(1))') || return 1
  mkdir -p "$ANSIBLE_TEST_HOME/.ansible/test/cache" "$ANSIBLE_TEST_HOME/.config/pip"
  cp "$ROOT/tests/tools/offline_get_pip.py" "$ANSIBLE_TEST_HOME/.ansible/test/cache/get_pip_${version//./_}.py"
  "$VENV/bin/python" "$ROOT/tests/tools/pip_conf_from_env.py" >"$ANSIBLE_TEST_HOME/.config/pip/pip.conf"
}

ansible_test() {
  HOME=$ANSIBLE_TEST_HOME ansible-test "$@"
}

setup() {
  system_packages && python_packages && prepare_ansible_test_home || return 1
  # shellcheck disable=SC1091
  . "$VENV/bin/activate"
  stage_collection
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
