# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.metrics import checks, gate, plan, prometheus

PARAMS = dict(url="http://127.0.0.1:9090", query=None, check=None, success_condition=None, failure_condition=None,
              interval=1.0, count=None, duration=None, failure_limit=0, inconclusive_limit=0, no_data="inconclusive")


def gate_plan(**options):
    return plan.build(dict(PARAMS, **options))


@pytest.mark.parametrize("values, success, failure, no_data, verdict", [
    ({"{}": 0.01}, "value < 0.05", None, "inconclusive", "success"),
    ({"{}": 0.05}, "value < 0.05", None, "inconclusive", "failure"),
    ({"{}": 0.06}, None, "value > 0.05", "inconclusive", "failure"),
    ({"{}": 0.05}, None, "value > 0.05", "inconclusive", "success"),
    ({"{}": 1.5}, "value >= 2", "value < 1", "inconclusive", "inconclusive"),
    ({"{}": 0.5}, "value >= 2", "value < 1", "inconclusive", "failure"),
    ({"{}": 2}, "value >= 2", "value < 1", "inconclusive", "success"),
    ({}, "value < 0.05", None, "inconclusive", "inconclusive"),
    ({}, "value < 0.05", None, "success", "success"),
    ({}, "value < 0.05", None, "failure", "failure"),
    ({"{a}": 0.01, "{b}": 0.2}, None, "value > 0.05", "inconclusive", "failure"),
])
def test_measurement_verdicts(values, success, failure, no_data, verdict):
    built = gate_plan(query="q", success_condition=success, failure_condition=failure, no_data=no_data)
    assert gate.judge(values, built["success"], built["failure"], built["no_data"]) == verdict


class FakePrometheus:
    """Answers queries with the next of ``answers``: a dict of series values or an exception."""

    def __init__(self, answers):
        self.answers = list(answers)

    def __call__(self, requester, url, query, redactor=None):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.mark.parametrize("answers, options, verdict, measured", [
    ([{"{}": 0.0}] * 3, dict(count=3), "success", 3),
    ([{"{}": 0.0}, {"{}": 0.3}, {"{}": 0.0}], dict(count=3), "failure", 2),
    ([{"{}": 0.3}, {"{}": 0.0}, {"{}": 0.3}, {"{}": 0.3}], dict(count=5, failure_limit=2), "failure", 4),
    ([{"{}": 0.3}, {"{}": 0.0}, {"{}": 0.0}], dict(count=3, failure_limit=1), "success", 3),
    ([{}, {"{}": 0.0}], dict(count=2), "inconclusive", 2),
    ([{}, {"{}": 0.0}], dict(count=2, inconclusive_limit=1), "success", 2),
    ([RunbookError("Prometheus is unreachable"), {"{}": 0.0}], dict(count=2), "inconclusive", 2),
])
def test_gate_stops_and_decides(monkeypatch, answers, options, verdict, measured):
    monkeypatch.setattr(prometheus, "query", FakePrometheus(answers))
    measurements, decided = gate.run(None, gate_plan(query="q", failure_condition="value > 0.05", **options),
                                     sleep=lambda seconds: None)
    assert (decided, len(measurements)) == (verdict, measured)


def test_duration_bounds_the_measurements(monkeypatch):
    monkeypatch.setattr(prometheus, "query", FakePrometheus([{"{}": 0.0}] * 10))
    ticks = iter(range(100))
    measurements, decided = gate.run(None, gate_plan(query="q", failure_condition="value > 1", duration=3.0,
                                                     interval=1.0),
                                     sleep=lambda seconds: None, clock=lambda: next(ticks))
    assert decided == "success" and len(measurements) == 3


def test_an_unreachable_prometheus_is_recorded_not_raised(monkeypatch):
    monkeypatch.setattr(prometheus, "query", FakePrometheus([RunbookError("Prometheus is unreachable: refused")]))
    measurements, decided = gate.run(None, gate_plan(query="q", failure_condition="value > 1"), sleep=None)
    assert decided == "inconclusive"
    assert measurements[0]["error"] == "Prometheus is unreachable: refused"


@pytest.mark.parametrize("check, query, failure", [
    ({"type": "error_rate", "selector": 'job="a"', "window": "2m", "threshold": None, "quantile": 0.95},
     '(sum(rate(http_requests_total{job="a",status=~"5.."}[2m])) or vector(0))'
     ' / sum(rate(http_requests_total{job="a"}[2m]))',
     "value > 0.05"),
    ({"type": "latency", "selector": None, "window": "3m", "threshold": 0.5, "quantile": 0.95},
     "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{}[3m])))", "value > 0.5"),
])
def test_ready_made_checks(check, query, failure):
    assert checks.build(check) == (query, failure)


@pytest.mark.parametrize("options, option", [
    (dict(url="prometheus:9090", query="q", success_condition="value < 1"), "url"),
    (dict(query="q"), "query"),
    (dict(query="q", success_condition="count < 1"), "success_condition"),
    (dict(query="q", success_condition="value exists"), "success_condition"),
    (dict(query="q", failure_condition="value ~ 1"), "failure_condition"),
    (dict(query="q", failure_condition="value > 1", interval=0), "interval"),
    (dict(query="q", failure_condition="value > 1", count=0), "count"),
    (dict(query="q", failure_condition="value > 1", failure_limit=-1), "failure_limit"),
    (dict(check={"type": "latency", "selector": None, "window": "2 minutes", "threshold": None, "quantile": 0.95}),
     "check.window"),
    (dict(check={"type": "latency", "selector": "{job='a'}", "window": "2m", "threshold": None, "quantile": 0.95}),
     "check.selector"),
    (dict(check={"type": "latency", "selector": None, "window": "2m", "threshold": None, "quantile": 95}),
     "check.quantile"),
])
def test_bad_input_names_the_option(options, option):
    with pytest.raises(InputError) as raised:
        gate_plan(**options)
    assert raised.value.details["option"] == option


@pytest.mark.parametrize("data, values", [
    ({"resultType": "vector", "result": [{"metric": {}, "value": [1, "0.25"]}]}, {"{}": 0.25}),
    ({"resultType": "vector", "result": [{"metric": {"job": "a", "color": "green"}, "value": [1, "1"]}]},
     {'{color="green",job="a"}': 1.0}),
    ({"resultType": "vector", "result": [{"metric": {}, "value": [1, "NaN"]}]}, {}),
    ({"resultType": "vector", "result": []}, {}),
    ({"resultType": "scalar", "result": [1, "3"]}, {"scalar": 3.0}),
])
def test_series_values(data, values):
    assert prometheus.series_values(data) == values


def test_a_matrix_is_refused():
    with pytest.raises(RunbookError, match="scalar or an instant vector"):
        prometheus.series_values({"resultType": "matrix", "result": []})
