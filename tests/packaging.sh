# The packaging phase of tests/run.sh: what Galaxy, Automation Hub and ansible-builder do with the
# collection, done here and failing on any error or warning.
#   - the tarball `ansible-galaxy collection build` writes, without dev-only files;
#   - CHANGELOG.rst generated from changelogs/ by antsibull-changelog;
#   - `ansible-builder create` on ee/execution-environment.yml, then the introspect step of the
#     generated Containerfile over the collections staged as its galaxy stage installs them
#     (no container engine here: the image build itself is not run);
#   - antsibull-docs lint-collection-docs --plugin-docs;
#   - galaxy-importer on the tarball (ansible-doc on; ansible-test and ansible-lint off: the sanity
#     and lint phases run them).
# Sourced by tests/run.sh after tests/setup.sh; uses $COLLECTION, $COLLECTIONS and $BUILD.
# shellcheck shell=bash

PACKAGING=$BUILD/packaging

packaging_fail() {
  echo "packaging: $*" >&2
  return 1
}

# Files a user's install has no use for (build_ignore in galaxy.yml must drop them).
packaging_check_tarball() {
  local tarball=$1 listing unwanted
  listing=$(tar -tzf "$tarball") || return 1
  unwanted=$(grep -E '^(\./)?(\.ci|\.build|\.git|awx|benchmarks|collections|ee|examples|extensions/molecule|reports|changelogs/fragments|tests/(output|infra|system|tools)|tests/integration/integration_config\.yml)(/|$)|__pycache__' <<<"$listing")
  [[ -z "$unwanted" ]] || packaging_fail "the tarball holds dev-only files:"$'\n'"$unwanted" || return 1
  local needed
  for needed in MANIFEST.json FILES.json README.md CHANGELOG.rst meta/runtime.yml \
    meta/execution-environment.yml meta/ee/requirements.txt meta/ee/bindep.txt; do
    grep -qxE "(\./)?$needed" <<<"$listing" || packaging_fail "the tarball lacks $needed" || return 1
  done
}

# CHANGELOG.rst of the unreleased version: the release antsibull-changelog would write now, made in
# a copy so that changelogs/ keeps its fragments. The staged collection (and so the tarball) gets
# it; a committed CHANGELOG.rst older than the fragments is reported, to be regenerated with
#   tests/packaging.sh changelog
packaging_changelog() {
  local version work=$PACKAGING/changelog
  version=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$COLLECTION/galaxy.yml") || return 1
  (cd "$COLLECTION" && antsibull-changelog lint) || return 1
  rm -rf "$work" && mkdir -p "$work" && cp -a "$COLLECTION/." "$work/" || return 1
  (cd "$work" && antsibull-changelog release --version "$version" --date "$RUNBOOK_RELEASE_DATE") || return 1
  [[ -s "$work/CHANGELOG.rst" ]] || packaging_fail "antsibull-changelog wrote no CHANGELOG.rst" || return 1
  if [[ -f "$COLLECTION/CHANGELOG.rst" ]] && ! cmp -s "$work/CHANGELOG.rst" "$COLLECTION/CHANGELOG.rst"; then
    echo "packaging: CHANGELOG.rst is older than changelogs/; regenerate it with: bash tests/packaging.sh changelog" >&2
    diff -u "$COLLECTION/CHANGELOG.rst" "$work/CHANGELOG.rst" >&2
  fi
  cp "$work/CHANGELOG.rst" "$COLLECTION/CHANGELOG.rst"
}

packaging_build() {
  rm -rf "$PACKAGING/.build" && mkdir -p "$PACKAGING/.build" || return 1
  ansible-galaxy collection build --force --output-path "$PACKAGING/.build" "$COLLECTION" || return 1
  TARBALL=$(compgen -G "$PACKAGING/.build/runbook-ops-*.tar.gz") || packaging_fail "no tarball built" || return 1
  packaging_check_tarball "$TARBALL"
}

# ee/ next to the .build the tarball went to, as in the repository after `make build`.
packaging_ee_create() {
  rm -rf "$PACKAGING/ee" "$PACKAGING/context" && cp -a "$COLLECTION/ee" "$PACKAGING/ee" || return 1
  ansible-builder create -f "$PACKAGING/ee/execution-environment.yml" -c "$PACKAGING/context" \
    --output-filename Containerfile -v 2 || return 1
  [[ -f "$PACKAGING/context/_build/collections/$(basename "$TARBALL")" ]] ||
    packaging_fail "the EE context lacks the collection tarball" || return 1
  grep -q '^ARG PG_MAJOR=' "$PACKAGING/context/Containerfile" ||
    packaging_fail "the Containerfile has no PG_MAJOR argument"
}

# The galaxy stage: every `type: file` collection of the EE's requirements.yml installed from the
# context's _build folder (its WORKDIR); kubernetes.core, which it would fetch from Galaxy, taken
# from the ansible package as in tests/setup.sh.
packaging_ee_stage() {
  local staged=$PACKAGING/ee-collections files
  rm -rf "$staged" && mkdir -p "$staged/ansible_collections/kubernetes" || return 1
  files=$(cd "$PACKAGING/context/_build" && python - <<'PY'
import os, sys, yaml
reqs = yaml.safe_load(open("requirements.yml"))["collections"]
files = [r["name"] for r in reqs if r.get("type") == "file"]
missing = [f for f in files if not os.path.isfile(f)]
if not files or missing:
    sys.exit("requirements.yml: no type=file collection, or not in the build context: %s" % missing)
print("\n".join(files))
PY
  ) || return 1
  local file
  while read -r file; do
    (cd "$PACKAGING/context/_build" && ansible-galaxy collection install --offline --no-deps --force \
      -p "$staged" "$file") || return 1
  done <<<"$files"
  ln -sfn "$(readlink -f "$COLLECTIONS/kubernetes/core")" "$staged/ansible_collections/kubernetes/core"
}

# The introspect RUN line of the Containerfile, run here over the staged collections.
packaging_ee_introspect() {
  local context=$PACKAGING/context out=$PACKAGING/introspect line log
  # shellcheck disable=SC2016  # $PYCMD is the Containerfile's, matched literally
  line=$(sed -n 's|^RUN \$PYCMD /output/scripts/introspect.py ||p' "$context/Containerfile")
  [[ -n "$line" ]] || packaging_fail "no introspect step in the Containerfile" || return 1
  rm -rf "$out" && mkdir -p "$out" || return 1
  local -a args
  read -ra args <<<"${line//\/tmp\/src\//$out/}"
  log=$(cd "$context/_build" && python "$context/_build/scripts/introspect.py" "${args[@]}" \
    "$PACKAGING/ee-collections" 2>&1)
  local rc=$?
  printf '%s\n' "$log"
  ((rc == 0)) || packaging_fail "introspect exited $rc" || return 1
  ! grep -q 'Expected requirements file not present' <<<"$log" ||
    packaging_fail "a collection's dependency manifest names a missing file" || return 1
  local want
  for want in 'kubernetes>=30.1.0' 'boto3>=1.34' 'psycopg2-binary>=2.9' tzdata; do
    grep -qF "$want" "$out/requirements.txt" || packaging_fail "introspected pip requirements lack $want" || return 1
  done
  for want in 'postgresql-client [platform:dpkg]' 'tzdata [platform:rpm]' 'openssh-clients [platform:rpm]'; do
    grep -qF "$want" "$out/bindep.txt" || packaging_fail "introspected bindep lacks $want" || return 1
  done
  ! grep -qE '^postgresql \[platform:rpm\]' "$out/bindep.txt" ||
    packaging_fail "the distribution's PostgreSQL client is not excluded from the EE" || return 1
}

# antsibull-docs lints a copy of the collection and of each dependency that `ansible-galaxy
# collection list` finds, and copies a folder that lies inside a git work tree by `git ls-files`.
# kubernetes.core is a link into the virtualenv, which sits in the checkout's ignored .build on a
# fresh clone: git lists none of its files, the empty copy shadows the real one, and the modules
# that use its k8s_auth_options fragment lose their DOCUMENTATION. So the lint gets a collections
# path of its own holding a real copy of kubernetes.core, a git repository of its own.
packaging_docs() {
  local docs=$PACKAGING/docs-collections
  rm -rf "$docs" && mkdir -p "$docs/ansible_collections/kubernetes" || return 1
  cp -a "$(readlink -f "$COLLECTIONS/kubernetes/core")" "$docs/ansible_collections/kubernetes/core" &&
    git -C "$docs/ansible_collections/kubernetes/core" init -q || return 1
  (cd "$COLLECTION" && ANSIBLE_COLLECTIONS_PATH=$docs antsibull-docs lint-collection-docs --plugin-docs .)
}

packaging_importer() {
  local work=$PACKAGING/importer log rc
  rm -rf "$work" && mkdir -p "$work" || return 1
  cat >"$work/galaxy-importer.cfg" <<'EOF'
[galaxy-importer]
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = False
RUN_ANSIBLE_TEST = False
RUN_FLAKE8 = False
CHECK_CHANGELOG = True
LOG_LEVEL_MAIN = INFO
EOF
  log=$(cd "$work" && GALAXY_IMPORTER_CONFIG=$work/galaxy-importer.cfg python -m galaxy_importer.main "$TARBALL" 2>&1)
  rc=$?
  printf '%s\n' "$log"
  ((rc == 0)) || packaging_fail "galaxy-importer exited $rc" || return 1
  ! grep -qE '^(WARNING|ERROR)' <<<"$log" || packaging_fail "galaxy-importer warned:"$'\n'"$(grep -E '^(WARNING|ERROR)' <<<"$log")"
}

# The release date antsibull-changelog writes for the version of galaxy.yml.
RUNBOOK_RELEASE_DATE=${RUNBOOK_RELEASE_DATE:-2026-12-01}

phase_packaging() {
  mkdir -p "$PACKAGING" || return 1
  local step rc=0
  for step in packaging_changelog packaging_build packaging_ee_create packaging_ee_stage \
    packaging_ee_introspect packaging_docs packaging_importer; do
    echo "--- $step"
    if ! "$step"; then
      echo "packaging: $step failed" >&2
      rc=1
      [[ $step == packaging_docs ]] || return 1
    fi
  done
  return "$rc"
}

# `bash tests/packaging.sh changelog`: regenerate the repository's CHANGELOG.rst.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -uo pipefail
  [[ ${1:-} == changelog ]] || { echo "usage: tests/packaging.sh changelog" >&2; exit 2; }
  # shellcheck source=tests/setup.sh
  . "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
  COLLECTION=$BUILD/packaging/source PACKAGING=$BUILD/packaging
  rm -rf "$COLLECTION" && mkdir -p "$COLLECTION" &&
    tar -C "$ROOT" --exclude=./.build --exclude=./.git --exclude=./tests/output -cf - . | tar -C "$COLLECTION" -xf - &&
    PATH=$VENV/bin:$PATH packaging_changelog && cp "$COLLECTION/CHANGELOG.rst" "$ROOT/CHANGELOG.rst"
fi
