# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Measure a query repeatedly and decide: success, failure or inconclusive (Argo Rollouts' semantics)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.metrics import prometheus
from ansible_collections.runbook.ops.plugins.module_utils.redact import NO_SECRETS
from ansible_collections.runbook.ops.plugins.module_utils.timing import iso_micro, utc_now


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
    at = iso_micro(utc_now())
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


def run(requester, plan, sleep=time.sleep, clock=time.monotonic, redactor=NO_SECRETS, stop=None):
    """Measure until the count or duration is reached, or the failures exceed the limit.

    With ``stop`` (a ``threading.Event``), the wait between measurements ends when it is set, and the
    gate returns the verdict ``stopped`` with the measurements taken so far.
    """
    measurements = []
    started = clock()
    while True:
        measurements.append(measure(requester, plan, redactor))
        tally = count(measurements)
        if tally["failure"] > plan["failure_limit"] or done(measurements, plan, clock() - started):
            return measurements, decide(tally, plan)
        if stop is None:
            sleep(plan["interval"])
        elif stop.wait(plan["interval"]):
            return measurements, "stopped"


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


def run_all(gates, redactor=NO_SECRETS, clock=time.monotonic):
    """Run several gates at once, one thread each; the first gate that does not pass stops the others.

    ``gates`` are dicts with ``name``, ``plan`` and ``requester``. Returns one result per gate, in the
    order given: name, query, url, verdict (``stopped`` for a gate ended early because another one did
    not pass), measurements, tally, started and ended (UTC), elapsed_ms, and error (a query Prometheus
    rejected, or what went wrong in the gate itself).
    """
    stop = threading.Event()
    results = [None] * len(gates)

    def evaluate(index, spec):
        started_at, started = iso_micro(utc_now()), clock()
        measurements, verdict, error = [], "failure", None
        try:
            measurements, verdict = run(spec["requester"], spec["plan"], redactor=redactor, stop=stop)
        except RunbookError as exc:
            error = exc.msg
        except Exception as exc:  # pylint: disable=broad-except
            # A thread that dies silently would leave its gate unjudged: record why it ended.
            error = "the gate ended unexpectedly: %s: %s" % (type(exc).__name__, redactor.text(str(exc)))
        results[index] = {
            "name": spec["name"], "query": spec["plan"]["query"], "url": spec["plan"]["url"], "verdict": verdict,
            "measurements": measurements, "tally": count(measurements), "error": error,
            "started": started_at, "ended": iso_micro(utc_now()), "elapsed_ms": round((clock() - started) * 1000.0, 1),
        }
        if verdict not in ("success", "stopped"):
            stop.set()

    threads = [threading.Thread(target=evaluate, args=(index, spec), name="gate-%d" % index)
               for index, spec in enumerate(gates)]
    for thread in threads:
        thread.daemon = True
        thread.start()
    for thread in threads:
        thread.join()
    return results


def overall(results):
    """The verdict of gates run together: the worst of theirs (a stopped gate follows a worse one)."""
    verdicts = [result["verdict"] for result in results]
    for verdict in ("failure", "inconclusive", "stopped"):
        if verdict in verdicts:
            return "failure" if verdict == "stopped" else verdict
    return "success"
