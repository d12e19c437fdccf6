"""The example inventory of runbook 003's ALB system with playbooks/alb_shift.yml: moto's ELBv2 API as
the load balancer, a demo_app as what clients reach through it."""

import json
import os
import subprocess
import sys
import uuid

import pytest

pytest.importorskip("boto3")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("RUNBOOK_BUILD_DIR", os.path.join(ROOT, ".build"))
INVENTORY = os.path.join(ROOT, "inventories", "examples", "alb")
PLAYBOOK = os.path.join(ROOT, "playbooks", "alb_shift.yml")


ALB_TOOL = os.path.join(ROOT, "tests", "integration", "targets", "traffic_shift_alb", "files", "alb.py")


def alb_tool(endpoint, *args):
    """The integration target's helper: make a load balancer on moto, or read a listener's weights."""
    return json.loads(subprocess.run([sys.executable, ALB_TOOL, endpoint] + list(args), capture_output=True,
                                     text=True, check=True).stdout)


@pytest.fixture
def alb(s3):
    """A load balancer whose listener sends everything to the blue target group."""
    endpoint = s3["AWS_ENDPOINT_URL"]
    return dict(alb_tool(endpoint, "create", "alb-%s" % uuid.uuid4().hex[:8]), endpoint=endpoint)


def weights(alb):
    by_arn = alb_tool(alb["endpoint"], "weights", alb["listener"])
    return {"blue": by_arn[alb["blue"]], "green": by_arn[alb["green"]]}


def alb_shift(alb, url, report_dir, **extra_vars):
    runbook_alb = {"region": "us-east-1", "endpoint_url": alb["endpoint"], "url": url,
                   "listeners": [{"name": alb["listener"], "stable_target_group": alb["blue"],
                                  "canary_target_group": alb["green"]}]}
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(BUILD, "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               RUNBOOK_REPORT_DIR=str(report_dir))
    command = ["ansible-playbook", "-i", INVENTORY, PLAYBOOK, "-e", json.dumps(dict(extra_vars, runbook_alb=runbook_alb))]
    return subprocess.run(command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)


def test_shift_to_the_new_version_then_route_the_alb_back(alb, demo_apps, tmp_path):
    url = demo_apps.start("--service", "judgify", "--color", "green", "--release", "v2")

    canary = alb_shift(alb, url, tmp_path, alb_weight=10)
    assert canary.returncode == 0, canary.stdout[-3000:]
    assert weights(alb) == {"blue": 90, "green": 10}
    assert json.loads((tmp_path / "smoke-staging-vm-alb.json").read_text())["success"] is True

    rollback = alb_shift(alb, url, tmp_path, alb_previous=True)
    assert rollback.returncode == 0, rollback.stdout[-3000:]
    assert weights(alb) == {"blue": 100, "green": 0}


def test_a_failed_smoke_check_routes_the_alb_back_at_once(alb, demo_apps, tmp_path):
    url = demo_apps.start("--service", "judgify", "--color", "green", "--release", "v2", "--error-rate", "0.5")

    run = alb_shift(alb, url, tmp_path, alb_weight=50)

    assert run.returncode != 0
    assert "the ALB was routed back to weight 0" in run.stdout
    assert weights(alb) == {"blue": 100, "green": 0}
    assert json.loads((tmp_path / "smoke-staging-vm-alb.json").read_text())["success"] is False


@pytest.mark.parametrize("extra_vars, message", [
    ({"alb_weight": 10, "alb_previous": True}, "not both"),
    ({}, "not both"),
    ({"alb_weight": 150}, "weight"),
])
def test_bad_input_changes_nothing(alb, demo_apps, tmp_path, extra_vars, message):
    url = demo_apps.start()

    run = alb_shift(alb, url, tmp_path, **extra_vars)

    assert run.returncode != 0
    assert message in run.stdout
    assert weights(alb) == {"blue": 100, "green": 0}
