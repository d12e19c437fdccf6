#!/usr/bin/env bash
# `make demo`: the whole blue-green deploy of the runbooks on this machine, with no cluster.
#
# Starts a throwaway PostgreSQL with sample data and nginx under .build/demo, deploys release v1 of
# examples/demo_app as the live color, then runs playbooks/deploy.yml -i inventories/local for v2
# (backup, idle color, smoke checks, switch, verification, cleanup, report), then a broken v3
# (20 % injected errors) that the run must catch while v2 keeps serving. Each run starts afresh,
# so running it twice gives the same result.
# Everything it leaves running lives under $RUNBOOK_DEMO_DIR (default .build/demo: its own
# PostgreSQL, nginx, staged collection and reports) and on ports 18000 and up (RUNBOOK_LOCAL_PORT_BASE,
# see inventories/local), apart from what `make test` uses: both can run in one checkout.
#   examples/demo.sh          the whole demo
#   examples/demo.sh up       only start PostgreSQL (with sample data) and nginx, afresh
#   examples/demo.sh down     stop the instances, nginx and PostgreSQL of the demo
set -euo pipefail

# shellcheck source=tests/setup.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tests/setup.sh"
DEMO=${RUNBOOK_DEMO_DIR:-$BUILD/demo}
export RUNBOOK_DEMO_DIR=$DEMO RUNBOOK_INFRA_DIR=$DEMO/infra RUNBOOK_REPORT_DIR=$DEMO/reports
PORT_BASE=${RUNBOOK_LOCAL_PORT_BASE:-18000}
# The demo's own staged copy: a test run restaging .build/collections does not pull it away.
stage_in "$DEMO/collections"
export ANSIBLE_STDOUT_CALLBACK=${ANSIBLE_STDOUT_CALLBACK:-default} ANSIBLE_NOCOLOR=${ANSIBLE_NOCOLOR:-0}
export PATH=$PATH:/usr/sbin

step() { printf '\n\033[1;34m>>> %s\033[0m\n' "$*"; }

down() {
  local pidfile
  for pidfile in "$DEMO"/instances/*.pid; do
    [[ -f "$pidfile" ]] && bash "$ROOT/roles/deploy_idle/files/instance.sh" stop "$pidfile" >/dev/null
  done
  bash "$ROOT/tests/infra/infra.sh" stop postgres nginx >/dev/null 2>&1 || true
  rm -rf "$DEMO"
}

# The ports of inventories/local; another platform on them (a demo of another checkout) stops the demo.
ports_free() {
  local offset taken=()
  for offset in 0 2 7 100 102 107 200 202 207; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$((PORT_BASE + offset))") 2>/dev/null; then
      taken+=("$((PORT_BASE + offset))")
    fi
  done
  ((${#taken[@]} == 0)) && return 0
  echo "ports ${taken[*]} are in use by something other than this demo; stop it or set RUNBOOK_LOCAL_PORT_BASE" >&2
  return 1
}

up() {
  down
  ports_free || exit 1
  mkdir -p "$DEMO/reports"
  bash "$ROOT/tests/infra/infra.sh" start postgres nginx
  sample_data
}

sample_data() {
  # shellcheck disable=SC1091
  . "$RUNBOOK_INFRA_DIR/env.sh"
  export PGHOST PGPORT PGUSER PGPASSWORD
  psql -q -d postgres -c 'CREATE DATABASE judgify'
  psql -q -d judgify <<'SQL'
CREATE TABLE workflows (id serial PRIMARY KEY, name text NOT NULL, rule text NOT NULL);
CREATE TABLE judgments (id bigserial PRIMARY KEY, workflow_id int REFERENCES workflows,
                        input jsonb NOT NULL, result boolean NOT NULL, created_at timestamptz DEFAULT now());
INSERT INTO workflows (name, rule) SELECT 'workflow-' || g, 'amount > ' || g * 10 FROM generate_series(1, 50) g;
INSERT INTO judgments (workflow_id, input, result)
  SELECT 1 + g % 50, jsonb_build_object('amount', g % 1000), g % 3 = 0 FROM generate_series(1, 20000) g;
SQL
}

deploy() {
  local release=$1; shift
  ansible-playbook -i "$ROOT/inventories/local" "$COLLECTION/playbooks/deploy.yml" \
    -e "runbook_release=$release" "$@"
}

live_releases() {
  local port
  for port in "$PORT_BASE" "$((PORT_BASE + 2))"; do
    curl -fsS "http://127.0.0.1:$port/version"
    echo
  done
}

demo() {
  step "Preparing this machine (virtualenv, nginx, PostgreSQL)"
  system_packages
  python_packages
  # shellcheck disable=SC1091
  . "$VENV/bin/activate"
  up
  stage_collection

  step "Release v1 becomes the live color (first deploy)"
  deploy v1 -e runbook_skip_backup=true

  step "Deploying v2: backup, idle color, smoke checks, switch, verification, cleanup"
  deploy v2

  step "Deploying v3 with 20 % injected errors: the run must reject it"
  if deploy v3 -e '{"deploy_idle_app_extra_args": ["--error-rate", "0.2"]}'; then
    echo "v3 was not rejected: the demo failed" >&2
    exit 1
  fi

  step "What serves traffic now"
  local live
  live=$(live_releases)
  echo "$live"
  if grep -q '"release": "v3"' <<<"$live" || [[ $(grep -c '"release": "v2"' <<<"$live") -ne 2 ]]; then
    echo "expected v2 to serve every service" >&2
    exit 1
  fi

  step "Summary"
  echo "v2 is live on every service; v3 was rejected and v2 kept serving."
  local reports=("$RUNBOOK_REPORT_DIR"/deploy-*.md)
  echo "Reports (JSON next to each):"
  printf '  %s\n' "${reports[@]}"
  echo
  echo "The report of the rejected v3 run:"
  cat "${reports[-1]}"
}

case ${1:-demo} in
  demo) demo ;;
  up) up ;;
  down) down ;;
  *) echo "usage: $0 [demo|up|down]" >&2; exit 2 ;;
esac
