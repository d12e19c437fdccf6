# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The smoke check from options to result: validate, wait until ready, sample, gate, report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.http_client import build_redactor, build_requester
from ansible_collections.runbook.ops.plugins.module_utils.smoke import checks as checks_
from ansible_collections.runbook.ops.plugins.module_utils.smoke import gates, probe, report, stats
from ansible_collections.runbook.ops.plugins.module_utils.timing import iso_micro, utc_now


def redactor_for(argument_spec, params):
    """The module's secrets: ``no_log`` options, their wire forms and credential headers of the checks."""
    specs = list(params.get("checks") or []) + [params.get("wait_for") or {}]
    return build_redactor(argument_spec, params, [spec.get("headers") for spec in specs if isinstance(spec, dict)])


def run(params, redactor, timer):
    """Return the module result, secrets masked; raise RunbookError (masked too) when it must fail."""
    try:
        return redactor.value(measure(params, redactor, timer))
    except RunbookError as error:
        raise redactor.error(error)


def measure(params, redactor, timer):
    with timer.phase("validate"):
        plan = validate(params)
    started_at = iso_micro(utc_now())
    with timer.phase("wait_for"):
        wait = wait_until_ready(plan["requester"], plan["wait_for"], params["ready_timeout"], params["ready_interval"],
                                redactor)
    results = []
    if wait["ready"]:
        with timer.phase("sample"):
            results = sample_all(plan["requester"], plan["checks"], params["samples"], params["concurrency"], redactor)
    with timer.phase("gate"):
        per_check, overall, breaches = evaluate(results, plan["thresholds"])
        document = redactor.value(report.build_report(plan["target"], started_at, iso_micro(utc_now()), plan["thresholds"],
                                                      overall, per_check, breaches, wait))
        if params.get("report_path"):
            report.write_report(params["report_path"], document)
    result = dict(document, changed=False, report_path=params.get("report_path"), elapsed_ms=timer.as_dict())
    failure = failure_message(wait, breaches, params["fail_on_breach"])
    if failure:
        raise RunbookError(failure, **result)
    return result


def validate(params):
    base_url = checks_.validate_base_url(params["base_url"])
    for option in ("samples", "concurrency"):
        if params[option] < 1:
            raise InputError(option, params[option], "use a whole number of 1 or more")
    for option in ("timeout", "ready_timeout", "ready_interval"):
        if params[option] <= 0:
            raise InputError(option, params[option], "use a number of seconds greater than 0")
    if bool(params.get("client_key")) and not params.get("client_cert"):
        raise InputError("client_key", params["client_key"], "give client_cert together with client_key")
    wait_for = None
    if params.get("wait_for"):
        wait_for = checks_.build_check(base_url, dict(params["wait_for"], name="wait_for"), "wait_for")
    return {
        "target": base_url.rstrip("/"),
        "checks": checks_.build_checks(base_url, params["checks"]),
        "wait_for": wait_for,
        "thresholds": gates.resolve_thresholds(params.get("thresholds")),
        "requester": build_requester(params, "runbook.ops.smoke_check"),
    }


def wait_until_ready(requester, check, timeout, interval, redactor):
    """Probe ``check`` until it passes or ``timeout`` seconds pass."""
    if check is None:
        return {"ready": True, "attempts": 0, "waited_ms": 0.0, "last_error": None}
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        sample = probe.probe(requester, check, redactor)
        waited = round((time.monotonic() - started) * 1000.0, 1)
        if sample["error"] is None:
            return {"ready": True, "attempts": attempts, "waited_ms": waited, "last_error": None}
        if time.monotonic() - started + interval > timeout:
            return {"ready": False, "attempts": attempts, "waited_ms": waited, "last_error": sample["error"]}
        time.sleep(interval)


def sample_all(requester, checks, samples, concurrency, redactor):
    """Every check ``samples`` times, interleaved, ``concurrency`` requests in flight."""
    jobs = [check for dummy in range(samples) for check in checks]
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        outcomes = list(pool.map(lambda check: probe.probe(requester, check, redactor), jobs))
    by_name = dict((check["name"], []) for check in checks)
    for check, outcome in zip(jobs, outcomes):
        by_name[check["name"]].append(outcome)
    return [(check, by_name[check["name"]]) for check in checks]


def evaluate(results, thresholds):
    per_check = []
    all_samples = []
    breaches = []
    for check, samples in results:
        summary = stats.summarize(samples)
        summary.update(name=check["name"], method=check["method"], url=check["url"])
        check_breaches = gates.breaches(check["name"], summary, thresholds)
        summary["breaches"] = [b["gate"] for b in check_breaches]
        summary["passed"] = not check_breaches
        per_check.append(summary)
        breaches.extend(check_breaches)
        all_samples.extend(samples)
    overall = stats.summarize(all_samples)
    breaches = gates.breaches("overall", overall, thresholds) + breaches
    return per_check, overall, breaches


def failure_message(wait, breaches, fail_on_breach):
    if not wait["ready"]:
        return "Service not ready: wait_for did not pass within ready_timeout after %d attempts; last error: %s" % (
            wait["attempts"], wait["last_error"])
    if breaches and fail_on_breach:
        return "Smoke check failed %d gate(s): %s" % (len(breaches), "; ".join(gates.breach_message(b) for b in breaches))
    return None
