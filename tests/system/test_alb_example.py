"""The example inventory of runbook 003's ALB system with playbooks/alb_shift.yml: moto's ELBv2 API as
the load balancer, a demo_app as what clients reach through it."""

import json
import os
import subprocess
import uuid

import pytest

boto3 = pytest.importorskip("boto3")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("RUNBOOK_BUILD_DIR", os.path.join(ROOT, ".build"))
INVENTORY = os.path.join(ROOT, "inventories", "examples", "alb")
PLAYBOOK = os.path.join(ROOT, "playbooks", "alb_shift.yml")


def aws_client(s3, service):
    return boto3.client(service, endpoint_url=s3["AWS_ENDPOINT_URL"], region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def alb(s3):
    """A load balancer whose listener sends everything to the blue target group."""
    ec2, elbv2 = aws_client(s3, "ec2"), aws_client(s3, "elbv2")
    name = "alb-%s" % uuid.uuid4().hex[:8]
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.%d.0/24" % n, AvailabilityZone="us-east-1" + zone)
               ["Subnet"]["SubnetId"] for n, zone in ((1, "a"), (2, "b"))]
    balancer = elbv2.create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    groups = dict((color, elbv2.create_target_group(Name="%s-%s" % (name, color), Protocol="HTTP", Port=80,
                                                    VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"])
                  for color in ("blue", "green"))
    listener = elbv2.create_listener(
        LoadBalancerArn=balancer, Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [
            {"TargetGroupArn": groups["blue"], "Weight": 100}, {"TargetGroupArn": groups["green"], "Weight": 0}]}}],
    )["Listeners"][0]["ListenerArn"]
    return dict(groups, listener=listener, elbv2=elbv2, endpoint=s3["AWS_ENDPOINT_URL"])


def weights(alb):
    actions = alb["elbv2"].describe_listeners(ListenerArns=[alb["listener"]])["Listeners"][0]["DefaultActions"]
    by_arn = dict((group["TargetGroupArn"], group.get("Weight")) for action in actions
                  for group in action.get("ForwardConfig", {}).get("TargetGroups", []))
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
