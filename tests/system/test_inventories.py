"""Every shipped inventory passes the roles' argument specs; bad values and missing approval stop preflight."""

import json
import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("RUNBOOK_BUILD_DIR", os.path.join(ROOT, ".build"))
PLAYBOOK = os.path.join(ROOT, "tests", "system", "playbooks", "preflight_model.yml")


def preflight(inventory, *extra_vars):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(BUILD, "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0")
    command = ["ansible-playbook", "-i", os.path.join(ROOT, "inventories", inventory), PLAYBOOK]
    for extra in extra_vars:
        command += ["-e", json.dumps(extra)]
    return subprocess.run(command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)


@pytest.mark.parametrize("inventory", ["dev", "staging", "prod", "local"])
def test_inventory_passes_the_argument_specs(inventory):
    # Approved as a node of an AWX workflow, which prod's runbook_require_workflow demands.
    run = preflight(inventory, {"runbook_approved": True, "runbook_emergency": True, "awx_workflow_job_id": 7})
    assert run.returncode == 0, run.stdout[-3000:]


@pytest.mark.parametrize("bad, names", [
    ({"runbook_services": [{"name": "a", "port": "http"}]}, ["runbook_services", "port"]),
    ({"runbook_platform": "swarm"}, ["runbook_platform", "swarm"]),
    ({"runbook_require_approval": "maybe"}, ["runbook_require_approval", "bool"]),
])
def test_bad_inventory_values_are_named_by_preflight(bad, names):
    run = preflight("staging", bad)
    assert run.returncode != 0
    failure = run.stdout[run.stdout.index("fatal:"):]
    assert "argument_errors" in failure
    for name in names:
        assert name in failure


def test_prod_without_approval_stops_in_preflight():
    run = preflight("prod", {"runbook_emergency": True, "awx_workflow_job_id": 7})
    assert run.returncode != 0
    assert "prod requires an explicit approval and none was given" in run.stdout
