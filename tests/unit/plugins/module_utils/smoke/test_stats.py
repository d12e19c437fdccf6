# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.smoke.stats import nearest_rank, summarize


@pytest.mark.parametrize("values, percent, expected", [
    ([], 50, None),
    ([7], 99, 7),
    ([10, 20, 30, 40], 50, 20),
    ([10, 20, 30, 40], 51, 30),
    ([10, 20, 30, 40], 100, 40),
    (list(range(1, 21)), 90, 18),
    (list(range(1, 21)), 95, 19),
    (list(range(1, 21)), 99, 20),
    (list(range(1, 101)), 1, 1),
    (list(range(1, 101)), 95, 95),
])
def test_nearest_rank(values, percent, expected):
    assert nearest_rank(values, percent) == expected


def sample(latency, error=None):
    return {"latency_ms": latency, "status": 200 if latency is not None else None, "error": error}


def test_summary_of_eighteen_fast_and_two_slow_samples():
    samples = [sample(5.0)] * 18 + [sample(400.0), sample(410.0)]
    summary = summarize(samples)
    assert summary["count"] == 20
    assert summary["errors"] == 0
    assert summary["error_rate"] == 0.0
    assert summary["error_messages"] == []
    assert summary["latency_ms"] == {"min": 5.0, "p50": 5.0, "p90": 5.0, "p95": 400.0, "p99": 410.0, "max": 410.0}


def test_errors_without_response_count_but_have_no_latency():
    samples = [sample(2.0)] * 6 + [sample(None, "connection refused: x")] * 3 + [sample(3.0, "status 500 not in [200]")]
    summary = summarize(samples)
    assert summary["errors"] == 4
    assert summary["error_rate"] == 0.4
    assert summary["error_messages"] == ["connection refused: x", "status 500 not in [200]"]
    assert summary["latency_ms"]["max"] == 3.0
    assert summary["latency_ms"]["p50"] == 2.0


def test_error_messages_keep_the_first_five_distinct_in_order():
    samples = [sample(1.0, "e%d" % (i % 7)) for i in range(30)]
    assert summarize(samples)["error_messages"] == ["e0", "e1", "e2", "e3", "e4"]


@pytest.mark.parametrize("samples", [[], [sample(None, "timeout: timed out")]])
def test_no_response_gives_null_latencies(samples):
    latency = summarize(samples)["latency_ms"]
    assert set(latency.values()) == {None}
