"""Outcomes reach people and AWX: webhook notifications, set_stats and the report upload, on the nginx platform.

A receiver on 127.0.0.1 stands in for a Slack-compatible and a generic JSON webhook (and one that answers
500). A successful and a failed deploy of inventories/local, stood up on free ports under a directory of
its own, must send the right events with the report's content, never a secret (the smoke checks' bearer
token, the database password, the webhook URLs), publish the summary with set_stats, copy the reports next
to the backups, and never fail because a webhook did.
"""

import json
import os
import re
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nginx_site import BUILD, NginxSite
from runbook_infra import free_port

SMOKE_TOKEN = "smoke-token-%s" % uuid.uuid4().hex
HOOK_SECRET = "T0HOOK/B0HOOK/%s" % uuid.uuid4().hex
HOOK_TOKEN = "hook-token-%s" % uuid.uuid4().hex


class Receiver:
    """Records every POST; /fail/... answers 500."""

    def __init__(self):
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body.decode()})
                self.send_response(500 if self.path.startswith("/fail/") else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def take(self, prefix):
        """Payloads received under ``prefix`` since the last take, as JSON."""
        found = [json.loads(item["body"]) for item in self.received if item["path"].startswith(prefix)]
        self.received = [item for item in self.received if not item["path"].startswith(prefix)]
        return found

    def bodies(self):
        return "\n".join(item["body"] for item in self.received)

    def hook_tokens(self, prefix):
        return set(item["headers"].get("X-Hook-Token") for item in self.received if item["path"].startswith(prefix))


class Platform(NginxSite):
    """The nginx site plus a database and the inventory's variables; the database dropped at the end."""

    def __init__(self, root, postgres, receiver):
        super(Platform, self).__init__(root, services=[
            {"name": "api-gateway-service", "port": free_port(), "tier": "critical", "strategy": "bluegreen",
             "color_ports": {"blue": free_port(), "green": free_port()},
             "checks": [{"name": "echo", "path": "/api/echo/headers", "status_codes": [200],
                         "headers": {"Authorization": "Bearer " + SMOKE_TOKEN}}]},
            {"name": "judgment-service", "port": free_port(), "tier": "critical", "strategy": "bluegreen",
             "color_ports": {"blue": free_port(), "green": free_port()}},
        ])
        self.database = "notify_%s" % uuid.uuid4().hex[:8]
        self.password = postgres["PGPASSWORD"]
        self.env.update((key, postgres[key]) for key in ("PGHOST", "PGPORT", "PGUSER"))
        self.env.update(ANSIBLE_SHOW_CUSTOM_STATS="1")
        self.env.pop("PGPASSWORD", None)
        self.vars_file = self.write_vars("platform.json", {
            "runbook_services": self.services,
            "runbook_pg": {"password": self.password},
            "runbook_backup": {"database": self.database, "destination": self.root + "/backups/", "keep_days": 7},
            "runbook_report_upload": True,
            "runbook_notify": [
                {"type": "slack", "url": "%s/slack/%s" % (receiver.url, HOOK_SECRET),
                 "events": ["failure", "switched_back"]},
                {"type": "json", "url": "%s/json/%s" % (receiver.url, HOOK_SECRET),
                 "headers": {"X-Hook-Token": HOOK_TOKEN}},
                {"type": "json", "url": "%s/fail/%s" % (receiver.url, HOOK_SECRET), "events": ["start"]},
            ],
            "verify_samples": 10})

    def start(self):
        super(Platform, self).start()
        self.psql("postgres", "CREATE DATABASE %s" % self.database)
        self.psql(self.database, "CREATE TABLE judgments (id bigserial PRIMARY KEY, amount int); "
                                 "INSERT INTO judgments (amount) SELECT g FROM generate_series(1, 100) g")

    def stop(self):
        super(Platform, self).stop()
        self.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.database, check=False)

    def psql(self, database, sql, check=True):
        subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-q", "-d", database, "-c", sql],
                       env=dict(self.env, PGDATABASE=database, PGPASSWORD=self.password), check=check,
                       capture_output=True)

    def deploy(self, release, *extra):
        return self.playbook("deploy.yml", "-e", "@" + self.vars_file, "-e", "runbook_release=%s" % release, *extra)


def custom_stats(output):
    """The set_stats data the default callback prints under CUSTOM STATS (one JSON line after RUN:)."""
    found = re.search(r"^\s*RUN: (\{.*\})\s*$", output, re.MULTILINE)
    assert found, output[-3000:]
    return json.loads(found.group(1))


@pytest.fixture
def receiver():
    hooks = Receiver()
    hooks.start()
    yield hooks
    hooks.stop()


@pytest.fixture
def platform(tmp_path, postgres, receiver):
    site = Platform(tmp_path, postgres, receiver)
    site.start()
    yield site
    site.stop()


def assert_no_secret(text, platform):
    for secret in (SMOKE_TOKEN, platform.password, HOOK_SECRET, HOOK_TOKEN):
        assert secret not in text


def test_notifications_stats_and_upload_of_a_good_and_a_bad_deploy(platform, receiver):
    code, output = platform.deploy("v1")
    assert code == 0, output[-4000:]
    # The webhook that answered 500 is a warning naming it by position, and does not fail the run.
    assert re.search(r"WARNING: the start notification to webhook 3 \(json\) was not delivered .*HTTP 500", output)
    assert_no_secret(output + receiver.bodies(), platform)
    # The generic hook's own header reaches it (and only it).
    assert receiver.hook_tokens("/json/") == {HOOK_TOKEN} and receiver.hook_tokens("/fail/") == {None}
    assert receiver.take("/slack/") == []
    assert len(receiver.take("/fail/")) == 1
    start, success = receiver.take("/json/")
    assert start["event"] == "start" and start["source"] == "runbook.ops"
    assert (start["operation"], start["environment"], start["release"]) == ("deploy", "local", "v1")
    assert "outcome" not in start
    assert success["event"] == "success" and success["outcome"] == "succeeded" and success["failure"] is None
    assert success["colors"]["after"] in ("blue", "green") and success["switched_back"] is False
    assert success["backup_key"].startswith(platform.root + "/backups/")

    stats = custom_stats(output)["runbook_report"]
    assert stats["outcome"] == "succeeded" and stats["release"] == "v1" and stats["failed_phase"] is None
    assert stats["backup_key"] == success["backup_key"] and stats["colors"] == success["colors"]
    assert stats["approval"] is None and stats["check_mode"] is False
    assert sorted(os.path.basename(path) for path in stats["uploaded"]) == sorted(
        os.path.basename(stats["reports"][kind]) for kind in ("json", "md"))
    for kind in ("json", "md"):
        uploaded = os.path.join(platform.root, "backups", "reports", os.path.basename(stats["reports"][kind]))
        with open(uploaded) as copy, open(stats["reports"][kind]) as original:
            assert copy.read() == original.read()
    assert success["uploaded"] == stats["uploaded"]

    # A release whose idle color fails its smoke checks: the run fails; both webhooks hear of it.
    code, output = platform.deploy("v2", "-e", json.dumps({"deploy_idle_app_extra_args": ["--error-rate", "0.5"]}))
    assert code != 0, output[-4000:]
    assert_no_secret(output + receiver.bodies(), platform)
    slack, = receiver.take("/slack/")
    assert slack["text"].startswith(":x: *deploy v2 to local*: FAILED in verify: Smoke checks failed")
    attachment, = slack["attachments"]
    assert attachment["color"] == "danger"
    assert {"title": "colors", "value": "%s -> %s" % (success["colors"]["after"], success["colors"]["after"]),
            "short": True} in attachment["fields"]
    assert len(receiver.take("/fail/")) == 1
    start, failure = receiver.take("/json/")
    assert start["event"] == "start" and start["release"] == "v2"
    assert failure["event"] == "failure" and failure["outcome"] == "failed" and failure["failed_phase"] == "verify"
    assert failure["failure"].startswith("Smoke checks failed on the idle color")
    stats = custom_stats(output)["runbook_report"]
    assert (stats["outcome"], stats["failed_phase"], stats["release"]) == ("failed", "verify", "v2")
    assert stats["failure"] == failure["failure"] or failure["failure"].endswith("...")

    assert receiver.take("/") == []


def test_check_mode_publishes_the_summary_and_notifies_nobody(tmp_path, receiver):
    playbook = tmp_path / "report.yml"
    playbook.write_text(json.dumps([{
        "name": "Report only", "hosts": "localhost", "gather_facts": False,
        "vars": {"runbook_environment": "local", "runbook_platform": "nginx", "runbook_release": "v7",
                 "report_operation": "smoke", "runbook_notify": [{"type": "json", "url": receiver.url + "/json/x"}]},
        "tasks": [{"name": "Report", "ansible.builtin.include_role": {"name": "runbook.ops.report"}}]}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(BUILD, "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_SHOW_CUSTOM_STATS="1", ANSIBLE_STDOUT_CALLBACK="default",
               RUNBOOK_REPORT_DIR=str(tmp_path / "reports"))
    for check in (True, False):
        command = ["ansible-playbook", "-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable,
                   str(playbook)] + (["--check"] if check else [])
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout[-3000:]
        stats = custom_stats(result.stdout)["runbook_report"]
        summary = (stats["check_mode"], stats["operation"], stats["release"], stats["outcome"])
        assert summary == (check, "smoke", "v7", "succeeded")
        assert [payload["event"] for payload in receiver.take("/json/")] == ([] if check else ["success"])


def test_switch_back_event_and_undeliverable_hooks_at_vvv(tmp_path, receiver):
    closed = "http://127.0.0.1:%d/closed/%s" % (free_port(), HOOK_SECRET)
    summary = {"operation": "deploy", "environment": "prod", "release": "v8", "outcome": "failed",
               "failure": "x" * 900, "failed_phase": "switch", "colors": {"before": "blue", "after": "blue"},
               "switched_back": True, "password": SMOKE_TOKEN}
    playbook = tmp_path / "notify.yml"
    playbook.write_text(json.dumps([{
        "name": "Notify", "hosts": "localhost", "gather_facts": False,
        "tasks": [{"name": "Notify", "ansible.builtin.include_role": {"name": "runbook.ops.notify"},
                   "vars": {"notify_event": event, "notify_summary": summary, "runbook_notify": [
                       {"type": "slack", "url": "%s/slack/%s" % (receiver.url, HOOK_SECRET),
                        "events": ["switched_back"]},
                       {"type": "json", "url": closed}]}} for event in ("failure", "switched_back")]}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(BUILD, "collections"), ANSIBLE_NOCOLOR="1")
    result = subprocess.run(["ansible-playbook", "-vvv", "-i", "localhost,", "-c", "local", "-e",
                             "ansible_python_interpreter=" + sys.executable, str(playbook)],
                            env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    for event in ("failure", "switched_back"):
        assert ("WARNING: the %s notification to webhook 2 (json) was not delivered" % event) in result.stdout
    assert HOOK_SECRET not in result.stdout + result.stderr
    slack, = receiver.take("/slack/")
    assert slack["text"] == ":leftwards_arrow_with_hook: *deploy v8 to prod*: switched back to blue"
    assert slack["attachments"][0]["color"] == "warning"
    # Only the whitelisted fields leave: a stray summary key holding a secret does not.
    assert SMOKE_TOKEN not in json.dumps(slack)
    assert receiver.take("/") == []
