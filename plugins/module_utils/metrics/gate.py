# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Measure a query repeatedly and decide: success, failure or inconclusive (Argo Rollouts' semantics)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from datetime import datetime, timezone

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.metrics import prometheus
from ansible_collections.runbook.ops.plugins.module_utils.redact import NO_SECRETS


def judge(values, success, failure, no_data):
    """The verdict of one measurement: 'success', 'failure' or 'inconclusive'."""
    if not values:
        return no_data
    verdicts = [judge_value(value, success, failure) for value in values.values()]
    for verdict in ("failure", "inconclusive"):
        if verdict in verdicts:
            return verdict
    return "success"


def judge_value(value, success, failure):
    document = {"value": value}
    if failure is not None and failure.check(document) is None:
        return "failure"
    if success is None or success.check(document) is None:
        return "success"
    # The success condition does not hold: with a failure condition too, that is the band between.
    return "failure" if failure is None else "inconclusive"


def measure(requester, plan, redactor=NO_SECRETS):
    """One measurement: its time, the series' values, the verdict and any error."""
    at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    try:
        values = prometheus.query(requester, plan["url"], plan["query"], redactor=redactor)
    except prometheus.QueryRejected:
        raise
    except RunbookError as exc:  # Prometheus unreachable or failing: this measurement tells nothing
        return {"at": at, "value": None, "values": {}, "verdict": "inconclusive", "error": exc.msg}
    verdict = judge(values, plan["success"], plan["failure"], plan["no_data"])
    return {"at": at, "value": worst(values), "values": values, "verdict": verdict, "error": None}


def worst(values):
    """The value shown for a measurement of several series: the highest."""
    return max(values.values()) if values else None


def run(requester, plan, sleep=time.sleep, clock=time.monotonic, redactor=NO_SECRETS):
    """Measure until the count or duration is reached, or the failures exceed the limit."""
    measurements = []
    started = clock()
    while True:
        measurements.append(measure(requester, plan, redactor))
        tally = count(measurements)
        if tally["failure"] > plan["failure_limit"] or done(measurements, plan, clock() - started):
            return measurements, decide(tally, plan)
        sleep(plan["interval"])


def done(measurements, plan, elapsed):
    if plan["count"] is not None:
        return len(measurements) >= plan["count"]
    return elapsed + plan["interval"] > plan["duration"]


def count(measurements):
    tally = {"success": 0, "failure": 0, "inconclusive": 0}
    for measurement in measurements:
        tally[measurement["verdict"]] += 1
    return tally


def decide(tally, plan):
    if tally["failure"] > plan["failure_limit"]:
        return "failure"
    if tally["inconclusive"] > plan["inconclusive_limit"]:
        return "inconclusive"
    return "success"
