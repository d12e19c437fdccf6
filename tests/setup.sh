# Setting up a machine for runbook.ops: system packages, the virtualenv, the staged collection.
# Sourced by tests/run.sh (make test) and examples/demo.sh (make demo).
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${RUNBOOK_BUILD_DIR:-$ROOT/.build}
VENV=${RUNBOOK_VENV:-$BUILD/venv}
COLLECTIONS=$BUILD/collections/ansible_collections
COLLECTION=$COLLECTIONS/runbook/ops
export RUNBOOK_INFRA_DIR=${RUNBOOK_INFRA_DIR:-$BUILD/infra}
export RUNBOOK_PYTHON=$VENV/bin/python
export ANSIBLE_COLLECTIONS_PATH=$BUILD/collections
export PIP_DISABLE_PIP_VERSION_CHECK=1
# shellcheck source=tests/infra/proc.sh
. "$ROOT/tests/infra/proc.sh"

# stage_in DIR: the collection is staged (stage_collection) and found under DIR.
stage_in() {
  COLLECTIONS=$1/ansible_collections
  COLLECTION=$COLLECTIONS/runbook/ops
  export ANSIBLE_COLLECTIONS_PATH=$1
}

# claim_build_dir: make $BUILD this run's own. It is claimed in $BUILD/.run.pid (pid and start
# time of this shell). When another live run holds it, this run builds in $BUILD/runs/<pid> (its
# staged collection, test output, molecule state) and says so; the virtualenv and the test
# systems stay the shared ones. Run dirs of processes that are gone are removed on the way.
claim_build_dir() {
  local dir
  mkdir -p "$BUILD/runs" || return 1
  dir=$(
    exec 9>"$BUILD/.run.lock"
    flock 9
    for run in "$BUILD"/runs/[0-9]*; do
      [[ -d "$run" ]] && ! build_dir_held "$run" && rm -rf "$run"
    done
    dir=$BUILD
    if build_dir_held "$BUILD"; then
      dir=$BUILD/runs/$$
      mkdir -p "$dir"
    fi
    echo "$$ $(proc_start $$)" >"$dir/.run.pid"
    echo "$dir"
  ) || return 1
  if [[ "$dir" != "$BUILD" ]]; then
    echo "build dir $BUILD is in use by run $(cut -d' ' -f1 "$BUILD/.run.pid"); this run builds in $dir" >&2
  fi
  CLAIMED_BUILD=$dir
  BUILD=$dir
  export RUNBOOK_BUILD_DIR=$dir
  stage_in "$BUILD/collections"
}

# build_dir_held DIR: a live process other than this shell claimed DIR.
build_dir_held() {
  local pid start
  read -r pid start 2>/dev/null <"$1/.run.pid" || return 1
  [[ "$pid" != "$$" ]] && process_alive "$pid" "$start"
}

# release_build_dir: give up the claim of claim_build_dir (a run dir stays for its output until
# the next claim after this process is gone).
release_build_dir() {
  local pid
  [[ -n "${CLAIMED_BUILD:-}" ]] || return 0
  read -r pid _ 2>/dev/null <"$CLAIMED_BUILD/.run.pid" || return 0
  [[ "$pid" == "$$" ]] && rm -f "$CLAIMED_BUILD/.run.pid"
  return 0
}

system_packages() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
  compgen -G '/usr/lib/postgresql/*/bin' >/dev/null || missing+=(postgresql postgresql-client)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
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
  [[ -x "$VENV/bin/python" && -f "$stamp" && $(cat "$stamp") == "$want" ]] && return 0
  # Runs sharing the virtualenv install one at a time; the second finds the stamp current.
  mkdir -p "$(dirname "$VENV")" || return 1
  (
    exec 9>"${VENV%/}.install.lock"
    flock -n 9 || { echo "waiting for another run installing into $VENV" >&2; flock 9; }
    if [[ ! -x "$VENV/bin/python" ]]; then
      "$(find_python)" -m venv "$VENV" || exit 1
    fi
    [[ -f "$stamp" && $(cat "$stamp") == "$want" ]] && exit 0
    "$VENV/bin/python" -m pip install -q --upgrade pip &&
      "$VENV/bin/python" -m pip install -q -r "$ROOT/test-requirements.txt" -c "$ROOT/tests/constraints.txt" &&
      echo "$want" >"$stamp"
  )
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

