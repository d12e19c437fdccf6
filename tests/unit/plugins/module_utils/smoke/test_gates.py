# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.smoke.gates import breaches, resolve_thresholds


def summary(p95=100.0, p99=200.0, error_rate=0.0):
    return {"error_rate": error_rate, "latency_ms": {"p50": 1.0, "p90": 2.0, "p95": p95, "p99": p99, "max": p99}}


@pytest.mark.parametrize("given, expected", [
    (None, {"p95_ms": 500.0, "p99_ms": None, "error_rate": 0.01}),
    ({"p99_ms": 900}, {"p95_ms": 500.0, "p99_ms": 900.0, "error_rate": 0.01}),
    ({"p95_ms": "250", "error_rate": None}, {"p95_ms": 250.0, "p99_ms": None, "error_rate": None}),
])
def test_thresholds_default_to_the_runbook_slo(given, expected):
    assert resolve_thresholds(given) == expected


@pytest.mark.parametrize("given, option", [
    ({"p50_ms": 1}, "thresholds"),
    ({"p95_ms": 0}, "thresholds.p95_ms"),
    ({"p95_ms": -5}, "thresholds.p95_ms"),
    ({"p99_ms": "fast"}, "thresholds.p99_ms"),
    ({"error_rate": True}, "thresholds.error_rate"),
    ({"error_rate": 1.5}, "thresholds.error_rate"),
])
def test_bad_thresholds_name_the_option(given, option):
    with pytest.raises(InputError) as caught:
        resolve_thresholds(given)
    assert caught.value.details["option"] == option


THRESHOLDS = {"p95_ms": 500.0, "p99_ms": 800.0, "error_rate": 0.01}


@pytest.mark.parametrize("measured, tripped", [
    (summary(p95=499.9), []),
    (summary(p95=500.0), ["p95_ms"]),
    (summary(p95=500.1), ["p95_ms"]),
    (summary(p99=799.9), []),
    (summary(p99=800.0), ["p99_ms"]),
    (summary(error_rate=0.0099), []),
    (summary(error_rate=0.01), ["error_rate"]),
    (summary(p95=600.0, p99=900.0, error_rate=0.5), ["p95_ms", "p99_ms", "error_rate"]),
    (summary(p95=None, p99=None, error_rate=1.0), ["error_rate"]),
])
def test_gates_trip_exactly_at_their_thresholds(measured, tripped):
    found = breaches("health", measured, THRESHOLDS)
    assert [b["gate"] for b in found] == tripped
    assert all(b["scope"] == "health" and b["value"] == measured_value(measured, b["gate"]) for b in found)


def measured_value(measured, gate):
    return measured["error_rate"] if gate == "error_rate" else measured["latency_ms"][gate[:-3]]


def test_disabled_gate_never_trips():
    assert breaches("overall", summary(p95=10000.0), {"p95_ms": None, "p99_ms": None, "error_rate": 0.01}) == []
