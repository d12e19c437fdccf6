# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ready-made queries for the runbooks' rollback triggers, from the demo_app/Prometheus naming."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError

_WINDOW = re.compile(r"^[0-9]+(ms|s|m|h|d)$")

# The runbooks: roll back on an error rate over 5 % or a p95 over 2 s.
DEFAULT_THRESHOLDS = {"error_rate": 0.05, "latency": 2.0}


def build(check):
    """Return (query, failure_condition) for a ready-made check."""
    window = check["window"]
    if not _WINDOW.match(window):
        raise InputError("check.window", window, "use a Prometheus duration such as 30s, 2m or 1h")
    selector = check.get("selector") or ""
    if "{" in selector or "}" in selector:
        raise InputError("check.selector", selector, "give the label matchers without braces, e.g. job=\"judgment\"")
    threshold = check.get("threshold")
    if threshold is None:
        threshold = DEFAULT_THRESHOLDS[check["type"]]
    if check["type"] == "error_rate":
        return error_rate(selector, window), "value > %s" % threshold
    return latency(selector, window, check["quantile"]), "value > %s" % threshold


def error_rate(selector, window):
    errors = _matchers(selector, 'status=~"5.."')
    # A release without a single error has no 5xx series at all: count that as zero errors, while
    # no requests at all (an empty denominator) stays no data.
    return ("(sum(rate(http_requests_total{%s}[%s])) or vector(0)) / sum(rate(http_requests_total{%s}[%s]))"
            % (errors, window, selector, window))


def latency(selector, window, quantile):
    if not 0 < quantile < 1:
        raise InputError("check.quantile", quantile, "use a fraction between 0 and 1, e.g. 0.95")
    return ("histogram_quantile(%s, sum by (le) (rate(http_request_duration_seconds_bucket{%s}[%s])))"
            % (quantile, selector, window))


def _matchers(*parts):
    return ",".join(part for part in parts if part)
