# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SLO gates: a gate is breached when the measured value reaches its threshold (the SLO is strict <)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError

DEFAULT_THRESHOLDS = {"p95_ms": 500.0, "p99_ms": None, "error_rate": 0.01}
GATES = ("p95_ms", "p99_ms", "error_rate")


def resolve_thresholds(given):
    """Merge ``given`` over the runbook SLO defaults and check every value."""
    thresholds = dict(DEFAULT_THRESHOLDS)
    for name, value in (given or {}).items():
        if name not in GATES:
            raise InputError("thresholds", {name: value}, "known gates are %s" % ", ".join(GATES))
        thresholds[name] = number(name, value)
    if thresholds["error_rate"] is not None and thresholds["error_rate"] > 1:
        raise InputError("thresholds.error_rate", thresholds["error_rate"], "an error rate is a fraction between 0 and 1")
    return thresholds


def number(name, value):
    if value is None:
        return None
    try:
        converted = -1.0 if isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        converted = -1.0
    if converted <= 0:
        raise InputError("thresholds.%s" % name, value, "use a number greater than 0, or null to disable the gate")
    return converted


def measured(summary, gate):
    if gate == "error_rate":
        return summary["error_rate"]
    return summary["latency_ms"][gate[:-3]]


def breaches(scope, summary, thresholds):
    """The gates ``summary`` breaches, as dicts naming scope, gate, threshold and value."""
    found = []
    for gate in GATES:
        threshold = thresholds.get(gate)
        value = measured(summary, gate)
        if threshold is None or value is None:
            continue
        if value >= threshold:
            found.append({"scope": scope, "gate": gate, "threshold": threshold, "value": value})
    return found


def breach_message(breach):
    return "%s: %s %s >= threshold %s" % (breach["scope"], breach["gate"], breach["value"], breach["threshold"])
