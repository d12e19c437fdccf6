# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.filter.smoke_results import (
    smoke_summaries, url_template_errors, verify_command_steps, verify_command_summaries)


def test_url_templates_with_unknown_placeholders_or_keys_are_named():
    templates = {"live": "https://{service}.{host}:{port}", "idle": "http://{service}-{color}.{namespace}", "blue": "x"}
    assert url_template_errors(templates) == ["live: {host}", "the key blue (use idle and live)"]
    assert url_template_errors({}) == []


def test_smoke_results_become_report_entries():
    passed = {"item": {"name": "api"}, "success": True, "msg": "",
              "overall": {"count": 40, "error_rate": 0.0, "latency_ms": {"p95": 12.5}},
              "breaches": [{"gate": "p95"}, {"gate": "P95"}, {"gate": "error_rate"}, {}]}
    not_ready = {"item": {"name": "web"}, "failed": True, "msg": "not ready within 60 s"}
    assert smoke_summaries([passed, not_ready], "idle") == [
        {"target": "idle", "service": "api", "success": True, "requests": 40, "error_rate": 0.0, "p95_ms": 12.5,
         "breaches": ["p95", "error_rate", ""], "msg": ""},
        {"target": "idle", "service": "web", "success": False, "requests": None, "error_rate": None, "p95_ms": None,
         "breaches": [], "msg": "not ready within 60 s"},
    ]


def test_verify_command_steps_name_each_command_without_its_secrets():
    services = [
        {"name": "judgment-service", "verify_commands": [
            {"name": "production-smoke", "argv": ["python3", "smoke.py", "{url}"],
             "secret_environment": {"TOKEN": "s3cr3t"}},
            {"cmd": "/opt/tests/critical_path.sh --base-url {url}"},
        ]},
        {"name": "bi-service"},
        {"name": "learning-service", "verify_commands": []},
    ]
    steps = verify_command_steps(services)
    assert steps == [
        {"service": "judgment-service", "index": 0, "name": "production-smoke"},
        {"service": "judgment-service", "index": 1, "name": "critical_path.sh"},
    ]
    assert "s3cr3t" not in repr(steps)


def test_verify_command_summaries_keep_the_end_of_the_output():
    results = [
        {"item": {"service": "judgment-service", "index": 0, "name": "suite"}, "success": False, "rc": 1,
         "timed_out": False, "duration_ms": 812.5, "msg": "suite: exited with status 1",
         "stdout": "x" * 3000 + "FAILED test_execute", "stderr": ""},
        {"item": {"service": "bi-service", "index": 0, "name": "suite"}, "msg": "Cannot start suite: No such file"},
    ]
    first, second = verify_command_summaries(results, "idle")
    assert (first["target"], first["service"], first["name"], first["success"], first["rc"]) == (
        "idle", "judgment-service", "suite", False, 1)
    assert first["stdout"].endswith("FAILED test_execute") and len(first["stdout"]) == 2003
    assert (second["success"], second["rc"], second["msg"]) == (False, None, "Cannot start suite: No such file")
