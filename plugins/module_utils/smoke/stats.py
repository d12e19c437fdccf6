# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Latency percentiles (nearest-rank method) and error rates of a set of samples."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

PERCENTILES = (50, 90, 95, 99)
ERROR_EXAMPLES = 5


def nearest_rank(sorted_values, percent):
    """The nearest-rank percentile: the smallest value with at least ``percent`` % of values <= it.

    >>> nearest_rank([10, 20, 30, 40], 50)
    20
    """
    if not sorted_values:
        return None
    rank = max(1, int(math.ceil(percent / 100.0 * len(sorted_values))))
    return sorted_values[rank - 1]


def summarize(samples):
    """Count, errors, error rate, latency percentiles and the first distinct error messages of ``samples``.

    Each sample is a dict with ``latency_ms`` (None when no response arrived) and ``error``
    (None when the sample passed). Latencies are those of every sample that got a response.
    """
    latencies = sorted(s["latency_ms"] for s in samples if s["latency_ms"] is not None)
    errors = [s["error"] for s in samples if s["error"]]
    count = len(samples)
    summary = {
        "count": count,
        "errors": len(errors),
        "error_rate": round(len(errors) / count, 6) if count else 0.0,
        "error_messages": first_distinct(errors, ERROR_EXAMPLES),
        "latency_ms": latency_summary(latencies),
    }
    return summary


def first_distinct(messages, limit):
    """The first ``limit`` different messages, in the order they were seen."""
    seen = []
    for message in messages:
        if message not in seen:
            seen.append(message)
            if len(seen) == limit:
                break
    return seen


def latency_summary(sorted_latencies):
    result = dict(("p%d" % p, _round(nearest_rank(sorted_latencies, p))) for p in PERCENTILES)
    result["max"] = _round(sorted_latencies[-1] if sorted_latencies else None)
    result["min"] = _round(sorted_latencies[0] if sorted_latencies else None)
    return result


def _round(value):
    return None if value is None else round(value, 1)
