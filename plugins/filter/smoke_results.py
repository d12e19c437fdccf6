# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verify role's input check, the steps of its test commands, and its results as the run report records them.

The filters are documented in the .yml files of their names next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from datetime import datetime, timezone

PLACEHOLDERS = ("service", "port", "namespace", "color")
TEMPLATE_KEYS = ("idle", "live")


def url_template_errors(templates):
    """What is wrong in runbook_url_templates: unknown placeholders and keys other than idle and live."""
    errors = []
    for key, template in templates.items():
        errors.extend("%s: {%s}" % (key, name) for name in re.findall(r"\{([^}]*)\}", str(template))
                      if name not in PLACEHOLDERS)
        if key not in TEMPLATE_KEYS:
            errors.append("the key %s (use idle and live)" % key)
    return errors


def smoke_summaries(results, target):
    """One report entry per smoke_check result of a loop over the services."""
    return [summary(result, target) for result in results]


def summary(result, target):
    overall = result.get("overall") or {}
    return {
        "target": target, "service": result["item"]["name"], "success": result.get("success", False),
        "requests": overall.get("count"), "error_rate": overall.get("error_rate"),
        "p95_ms": (overall.get("latency_ms") or {}).get("p95"),
        "breaches": unique_ignoring_case([breach.get("gate", "") for breach in result.get("breaches", [])]),
        "msg": result.get("msg", ""),
    }


def unique_ignoring_case(values):
    """The first of each value, as Ansible's unique filter keeps them (strings compared ignoring case)."""
    seen, kept = set(), []
    for value in values:
        key = value.lower() if isinstance(value, str) else value
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


# Characters of a command's output kept in the run report; the task result keeps more.
REPORT_OUTPUT_CHARS = 2000
JOB_NAME_CHARS = 63


def verify_command_steps(services, key="verify_commands"):
    """One step per test command (or, with ``key="verify_jobs"``, test Job) of each service, without its secrets.

    The loop item is printed and kept in the registered results, so it carries only where the
    command is (service, index); the task reads the command itself, secrets included, from there.
    """
    steps = []
    for service in services:
        for index, command in enumerate(service.get(key) or []):
            steps.append({"service": service["name"], "index": index, "name": command_name(command, index)})
    return steps


def command_name(command, index):
    if command.get("name"):
        return command["name"]
    words = command.get("argv") or command.get("command") or str(command.get("cmd") or "").split()
    if not words and command.get("image"):
        words = [command["image"].rsplit(":", 1)[0]]
    return words[0].rsplit("/", 1)[-1] if words else "command %d" % (index + 1)


def verify_command_summaries(results, target):
    """One report entry per verify_command result of a loop over verify_command_steps."""
    return [command_summary(result, target) for result in results]


def command_summary(result, target):
    step = result["item"]
    return {
        "target": target, "service": step["service"], "name": step["name"], "kind": "command",
        "success": result.get("success", False), "rc": result.get("rc"),
        "timed_out": result.get("timed_out", False), "duration_ms": result.get("duration_ms"),
        "msg": result.get("msg", ""),
        "stdout": tail(result.get("stdout") or ""), "stderr": tail(result.get("stderr") or ""),
    }


def verify_job_steps(services, run):
    """verify_command_steps of the services' verify_jobs, each with the name of its Job in run ``run``.

    The name is also the pods' job-name label, so it stays within a label value's 63 characters.
    """
    steps = verify_command_steps(services, "verify_jobs")
    for step in steps:
        suffix = "-verify-%d-%s" % (step["index"], run)
        step["job"] = step["service"][:JOB_NAME_CHARS - len(suffix)].rstrip("-") + suffix
    return steps


def verify_job_pending(jobs):
    """The names of the Jobs (read with k8s_info) that have neither completed nor failed yet."""
    return [job["metadata"]["name"] for job in jobs if job_state(job)[0] is None]


def verify_job_summaries(jobs, steps, logs, target):
    """One report entry per test Job of ``steps``, like a test command's, from the Jobs read back.

    ``jobs``: the Jobs (k8s_info resources); ``steps``: verify_command_steps of the Jobs, each with its
    ``job`` name; ``logs``: the k8s_log results of a loop over the steps (the job's pod log).
    """
    by_name = dict((job["metadata"]["name"], job) for job in jobs)
    log_by_job = dict((result["item"]["job"], result) for result in logs)
    return [job_summary(step, by_name.get(step["job"]), log_by_job.get(step["job"], {}), target) for step in steps]


def job_summary(step, job, log, target):
    success, reason = job_state(job) if job else (False, "the Job %s is gone" % step["job"])
    return {
        "target": target, "service": step["service"], "name": step["name"], "kind": "job", "job": step["job"],
        "success": bool(success), "rc": None, "timed_out": reason.startswith("DeadlineExceeded"),
        "duration_ms": job_duration_ms(job) if job else None,
        "msg": "%s: Job %s %s" % (step["name"], step["job"], job_verdict(success, reason)),
        "stdout": tail("\n".join(log.get("log_lines") or []) if "log_lines" in log else
                       "(no log: %s)" % (log.get("msg") or "not read")),
        "stderr": "",
    }


def job_verdict(success, reason):
    if success:
        return "completed"
    return "failed (%s)" % reason if success is False else "did not finish in time"


def job_state(job):
    """``(True|False|None, reason)``: the Job completed, failed (with the condition's reason), or runs on."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("status") != "True":
            continue
        if condition.get("type") == "Complete":
            return True, "completed"
        if condition.get("type") == "Failed":
            return False, "%s: %s" % (condition.get("reason") or "Failed", condition.get("message") or "failed")
    return None, "running"


def job_duration_ms(job):
    status = job.get("status") or {}
    started, ended = status.get("startTime"), status.get("completionTime")
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Failed" and condition.get("status") == "True":
            ended = ended or condition.get("lastTransitionTime")
    if not (started and ended):
        return None
    return (to_seconds(ended) - to_seconds(started)) * 1000.0


def to_seconds(stamp):
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def tail(text):
    return text if len(text) <= REPORT_OUTPUT_CHARS else "..." + text[-REPORT_OUTPUT_CHARS:]


class FilterModule(object):
    def filters(self):
        return {"url_template_errors": url_template_errors, "smoke_summaries": smoke_summaries,
                "verify_command_steps": verify_command_steps,
                "verify_command_summaries": verify_command_summaries,
                "verify_job_steps": verify_job_steps, "verify_job_pending": verify_job_pending,
                "verify_job_summaries": verify_job_summaries}
