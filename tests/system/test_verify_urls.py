"""The verify role's URLs: a service's own URL, then the inventory's URL templates, then the platform's address."""

import json
import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("RUNBOOK_BUILD_DIR", os.path.join(ROOT, ".build"))
PLAYBOOK = os.path.join(ROOT, "tests", "system", "playbooks", "verify_urls.yml")
INGRESS = {"live": "https://{service}.staging.example.com", "idle": "https://{service}-preview.staging.example.com"}


def derive(tmp_path, inventory, **extra_vars):
    out = tmp_path / "urls.json"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(BUILD, "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0")
    command = ["ansible-playbook", "-i", os.path.join(ROOT, "inventories", inventory), PLAYBOOK,
               "-e", json.dumps(dict(extra_vars, verify_urls_out=str(out)))]
    run = subprocess.run(command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    return run, (json.loads(out.read_text()) if run.returncode == 0 else None)


@pytest.mark.parametrize("target, templates, service, url", [
    ("idle", None, "judgment-service", "http://judgment-service-preview.judgify-staging.svc:8002"),
    ("live", None, "workflow-service", "http://workflow-service.judgify-staging.svc:8001"),
    ("idle", INGRESS, "judgment-service", "https://judgment-service-preview.staging.example.com"),
    ("live", INGRESS, "api-gateway-service", "https://api-gateway-service.staging.example.com"),
    ("live", {"live": "http://127.0.0.1:1{port}"}, "judgment-service", "http://127.0.0.1:18002"),
    ("idle", {"live": "http://127.0.0.1:1{port}"}, "judgment-service", "http://judgment-service-preview.judgify-staging.svc:8002"),
    ("idle", {"idle": "http://{service}-{color}.{namespace}.svc:{port}"}, "judgment-service",
     "http://judgment-service-green.judgify-staging.svc:8002"),
    ("live", {"live": "https://{namespace}.example.com/{service}/{color}"}, "bi-service",
     "https://judgify-staging.example.com/bi-service/blue"),
])
def test_urls_come_from_the_templates_or_the_platform(tmp_path, target, templates, service, url):
    extra = {"verify_target": target, "deploy_idle_color": "green", "preflight_live_color": "blue"}
    if templates is not None:
        extra["runbook_url_templates"] = templates
    run, urls = derive(tmp_path, "staging", **extra)
    assert run.returncode == 0, run.stdout[-3000:]
    assert urls[service] == url


def test_idle_urls_cover_the_services_with_an_idle_color_and_live_urls_every_service(tmp_path):
    idle = derive(tmp_path, "staging", runbook_url_templates=INGRESS)[1]
    live = derive(tmp_path, "staging", runbook_url_templates=INGRESS, verify_target="live")[1]
    assert "workflow-service" not in idle and "judgment-service" in idle
    assert len(live) == 10 and set(idle) < set(live)
    assert all(value == INGRESS["live"].replace("{service}", name) for name, value in live.items())


def test_a_service_url_wins_over_the_template(tmp_path):
    run, urls = derive(tmp_path, "dev", verify_target="live", runbook_url_templates=INGRESS,
                       runbook_services=[{"name": "a", "port": 8000, "live_url": "http://127.0.0.1:9"},
                                         {"name": "b", "port": 8001}])
    assert run.returncode == 0, run.stdout[-3000:]
    assert urls == {"a": "http://127.0.0.1:9", "b": "https://b.staging.example.com"}


@pytest.mark.parametrize("templates, named", [
    ({"live": "https://{svc}.example.com"}, "live: {svc}"),
    ({"idle": "https://{service}.example.com:{Port}"}, "idle: {Port}"),
])
def test_an_unknown_placeholder_stops_the_role_naming_it(tmp_path, templates, named):
    run = derive(tmp_path, "staging", runbook_url_templates=templates)[0]
    assert run.returncode != 0
    assert "runbook_url_templates uses " + named in run.stdout


def test_an_unknown_template_key_is_named_by_the_argument_spec(tmp_path):
    run = derive(tmp_path, "staging", runbook_url_templates={"preview": "https://{service}.example.com"})[0]
    assert run.returncode != 0
    assert "runbook_url_templates" in run.stdout and "preview" in run.stdout
