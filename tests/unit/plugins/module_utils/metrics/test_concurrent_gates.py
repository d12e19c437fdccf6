# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""metrics_gate's gates option: plans merged over the module's options, gates run at once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.metrics import gate, plan, prometheus
from ansible_collections.runbook.ops.plugins.modules import metrics_gate

PARAMS = dict(url="http://127.0.0.1:9090", query=None, check=None, gates=None, success_condition=None,
              failure_condition=None, interval=30.0, count=None, duration=None, failure_limit=0, inconclusive_limit=0,
              no_data="inconclusive")
CHECK = {"type": "error_rate", "selector": 'job="a"', "window": "2m", "threshold": None, "quantile": 0.95}


def entry(**options):
    """A gate as the argument spec validates it: every suboption present, unset ones None."""
    gate_entry = dict((name, None) for name in metrics_gate.GATE_OPTIONS)
    gate_entry.update(options)
    return gate_entry


def plans(*entries, **options):
    return plan.build_gates(dict(PARAMS, gates=list(entries), **options))


# The module's options fill in what a gate leaves out; count and duration replace each other.
@pytest.mark.parametrize("module_options, gate_options, expected", [
    ({}, dict(query="q", failure_condition="value > 1"),
     dict(url="http://127.0.0.1:9090", interval=30.0, count=1, duration=None, failure_limit=0)),
    (dict(duration=300.0, failure_limit=1), dict(query="q", failure_condition="value > 1", interval=5),
     dict(interval=5, count=None, duration=300.0, failure_limit=1)),
    (dict(duration=300.0), dict(query="q", failure_condition="value > 1", count=3),
     dict(count=3, duration=None)),
    (dict(count=3), dict(query="q", failure_condition="value > 1", duration=60),
     dict(count=None, duration=60)),
    ({}, dict(query="q", failure_condition="value > 1", url="http://other:9090"), dict(url="http://other:9090")),
    ({}, dict(check=CHECK), dict(failure_text="value > 0.05")),
])
def test_a_gate_takes_the_module_options_it_leaves_out(module_options, gate_options, expected):
    built = plans(entry(**gate_options), **module_options)[0]["plan"]
    failure_text = expected.pop("failure_text", None)
    assert dict((key, built[key]) for key in expected) == expected
    if failure_text:
        assert built["failure"].text == failure_text


def test_gates_are_named_by_position_unless_named():
    built = plans(entry(query="a", failure_condition="value > 1"),
                  entry(name="chat latency", query="b", failure_condition="value > 1"))
    assert [item["name"] for item in built] == ["gate 1", "chat latency"]


@pytest.mark.parametrize("entries, module_options, option, words", [
    ([], {}, "gates", "at least one gate"),
    ([entry(failure_condition="value > 1")], {}, "gates[0].query", "exactly one of query and check"),
    ([entry(query="q", check=CHECK)], {}, "gates[0].query", "exactly one of query and check"),
    ([entry(name="a", query="q", failure_condition="value > 1")] * 2, {}, "gates[1].name", "a name of its own"),
    ([entry(query="q", failure_condition="value > 1"), entry(check=dict(CHECK, window="2 minutes"))], {},
     "gates[1].check.window", "gate 'gate 2'"),
    ([entry(query="q", failure_condition="value > 1", interval=0)], {}, "gates[0].interval", "greater than 0"),
    ([entry(query="q", failure_condition="value > 1")], dict(url=None), "gates[0].url", "Prometheus base URL"),
])
def test_bad_gates_name_the_gate_and_option(entries, module_options, option, words):
    with pytest.raises(InputError) as raised:
        plans(*entries, **module_options)
    assert raised.value.details["option"] == option
    assert words in raised.value.msg


class Answers:
    """Prometheus answers per query: a list of series values, exceptions, or callables run first."""

    def __init__(self, answers):
        self.answers = dict((query, list(items)) for query, items in answers.items())
        self.lock = threading.Lock()

    def __call__(self, requester, url, query, redactor=None):
        with self.lock:
            answer = self.answers[query].pop(0)
        if callable(answer):
            answer = answer()
        if isinstance(answer, Exception):
            raise answer
        return answer


def specs(*entries):
    return [dict(built, requester=None) for built in plans(*entries)]


def test_gates_measure_at_the_same_time(monkeypatch):
    # Each first measurement waits for the other gate's: run one after the other, the barrier breaks.
    barrier = threading.Barrier(2, timeout=10)

    def together():
        barrier.wait()
        return {"{}": 0.0}

    monkeypatch.setattr(prometheus, "query", Answers({"a": [together], "b": [together]}))
    results = gate.run_all(specs(entry(name="a", query="a", failure_condition="value > 1", count=1),
                                 entry(name="b", query="b", failure_condition="value > 1", count=1)))
    assert [(item["name"], item["verdict"], item["error"]) for item in results] == [
        ("a", "success", None), ("b", "success", None)]
    assert gate.overall(results) == "success"
    assert results[0]["started"] < results[1]["ended"] and results[1]["started"] < results[0]["ended"]


def test_a_failing_gate_stops_the_others_at_their_next_wait(monkeypatch):
    # b's first measurement passes only after a has failed, then b would wait 30 s for its next one.
    failed = threading.Event()

    def fail_a():
        failed.set()
        return {"{}": 0.3}

    def after_a():
        assert failed.wait(10)
        return {"{}": 0.0}

    monkeypatch.setattr(prometheus, "query", Answers({"a": [fail_a], "b": [after_a]}))
    results = gate.run_all(specs(entry(name="a", query="a", failure_condition="value > 0.05", count=5, interval=0.01),
                                 entry(name="b", query="b", failure_condition="value > 0.05", duration=3600)))
    assert [(item["verdict"], len(item["measurements"])) for item in results] == [("failure", 1), ("stopped", 1)]
    assert gate.overall(results) == "failure"


@pytest.mark.parametrize("answer, error", [
    (prometheus.QueryRejected("Prometheus rejected the query: parse error"), "Prometheus rejected the query: parse error"),
    (KeyError("value"), "the gate ended unexpectedly: KeyError: 'value'"),
])
def test_a_gate_that_raises_fails_with_the_reason(monkeypatch, answer, error):
    monkeypatch.setattr(prometheus, "query", Answers({"a": [answer], "b": [{"{}": 0.0}]}))
    results = gate.run_all(specs(entry(name="a", query="a", failure_condition="value > 1"),
                                 entry(name="b", query="b", failure_condition="value > 1")))
    assert (results[0]["verdict"], results[0]["error"], results[0]["measurements"]) == ("failure", error, [])
    assert results[1]["verdict"] in ("success", "stopped")


@pytest.mark.parametrize("verdicts, overall", [
    (["success", "success"], "success"),
    (["success", "inconclusive"], "inconclusive"),
    (["failure", "stopped"], "failure"),
    (["inconclusive", "stopped"], "inconclusive"),
    (["stopped"], "failure"),
    (["inconclusive", "failure"], "failure"),
])
def test_the_verdict_of_gates_run_together(verdicts, overall):
    assert gate.overall([{"verdict": verdict} for verdict in verdicts]) == overall


def test_the_module_fails_naming_the_gate_and_its_query_first(monkeypatch):
    monkeypatch.setattr(prometheus, "query", Answers({"ok": [{"{}": 0.0}] * 3, "bad": [{"{}": 0.3}]}))
    params = dict(PARAMS, gates=[entry(name="bi-service latency", query="ok", failure_condition="value > 0.05",
                                       count=3, interval=0.01),
                                 entry(name="bi-service error_rate", query="bad", failure_condition="value > 0.05")],
                  validate_certs=True, ca_path=None, client_cert=None, client_key=None, url_username=None,
                  url_password=None, bearer_token=None, secret_headers=None, follow_redirects="none", timeout=10.0,
                  use_proxy=True)
    with pytest.raises(RunbookError) as raised:
        metrics_gate.measure(params, metrics_gate.build_redactor(metrics_gate.argument_spec(), params))
    assert raised.value.msg.startswith("Metrics gates failure: gate 'bi-service error_rate' failure: bad measured [0.3 failure]")
    assert raised.value.details["verdict"] == "failure"
    assert [item["name"] for item in raised.value.details["gates"]] == ["bi-service latency", "bi-service error_rate"]
    assert "elapsed_ms" in raised.value.details and "query" not in raised.value.details
