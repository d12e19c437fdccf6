# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.filter.smoke_results import (
    smoke_summaries, url_template_errors, verify_command_steps, verify_command_summaries, verify_job_pending,
    verify_job_steps, verify_job_summaries)


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


def job(name, *conditions, started="2026-12-02T10:00:00Z", completed=None):
    status = {"startTime": started, "conditions": [dict(type=kind, status="True", **extra) for kind, extra in conditions]}
    if completed:
        status["completionTime"] = completed
    return {"metadata": {"name": name}, "status": status}


def test_verify_job_steps_name_jobs_within_a_label_value():
    services = [{"name": "a-very-long-service-name-that-goes-on-and-on-for-ever-and-more", "verify_jobs": [
        {"image": "registry.invalid/judgify/smoke-tests:v2"}, {"name": "critical", "image": "x:1"}]}]
    first, second = verify_job_steps(services, "ab12cd")
    assert first["name"] == "smoke-tests" and second["name"] == "critical"
    assert len(first["job"]) <= 63 and first["job"].endswith("-verify-0-ab12cd")
    assert not first["job"].startswith("-") and "--" not in first["job"]
    assert second["job"].endswith("-verify-1-ab12cd")


def test_verify_job_pending_names_the_jobs_without_a_final_condition():
    jobs = [job("done", ("Complete", {})), job("failed", ("Failed", {"reason": "BackoffLimitExceeded"})),
            job("running"), {"metadata": {"name": "new"}}]
    assert verify_job_pending(jobs) == ["running", "new"]


def test_verify_job_summaries_judge_each_job_and_keep_its_log():
    steps = [{"service": "judgment-service", "index": 0, "name": "smoke", "job": "judgment-service-verify-0-x"},
             {"service": "judgment-service", "index": 1, "name": "hang", "job": "judgment-service-verify-1-x"},
             {"service": "bi-service", "index": 0, "name": "slow", "job": "bi-service-verify-0-x"},
             {"service": "bi-service", "index": 1, "name": "gone", "job": "bi-service-verify-1-x"}]
    jobs = [job("judgment-service-verify-0-x", ("Complete", {}), completed="2026-12-02T10:00:12Z"),
            job("judgment-service-verify-1-x", ("Failed", {"reason": "DeadlineExceeded",
                                                           "message": "Job was active longer than specified deadline",
                                                           "lastTransitionTime": "2026-12-02T10:00:03Z"})),
            job("bi-service-verify-0-x")]
    logs = [{"item": steps[0], "log_lines": ["12 passed"]},
            {"item": steps[1], "msg": "pod has no log: ContainerCreating"}]
    smoke, hang, slow, gone = verify_job_summaries(jobs, steps, logs, "idle")
    assert (smoke["success"], smoke["kind"], smoke["duration_ms"], smoke["stdout"]) == (True, "job", 12000.0, "12 passed")
    assert smoke["msg"] == "smoke: Job judgment-service-verify-0-x completed"
    assert (hang["success"], hang["timed_out"], hang["duration_ms"]) == (False, True, 3000.0)
    assert hang["msg"] == ("hang: Job judgment-service-verify-1-x failed (DeadlineExceeded: "
                           "Job was active longer than specified deadline)")
    assert hang["stdout"] == "(no log: pod has no log: ContainerCreating)"
    assert (slow["success"], slow["msg"]) == (False, "slow: Job bi-service-verify-0-x did not finish in time")
    assert gone["msg"] == "gone: Job bi-service-verify-1-x failed (the Job bi-service-verify-1-x is gone)"
