# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Instant queries against the Prometheus HTTP API, reduced to one number per series."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math

from ansible.module_utils.six.moves.urllib.error import HTTPError
from ansible.module_utils.six.moves.urllib.parse import urlencode

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.redact import NO_SECRETS
from ansible_collections.runbook.ops.plugins.module_utils.smoke.probe import transport_error


class QueryRejected(RunbookError):
    """Prometheus refused the query itself (bad PromQL): measuring again cannot help."""


def query(requester, base_url, promql, redactor=NO_SECRETS):
    """Return {series: value} for an instant query; NaN and empty results give {}.

    Raises QueryRejected for a query Prometheus rejects, RunbookError when Prometheus cannot be reached.
    Quoted answers are masked by ``redactor`` before they are cut short.
    """
    url = "%s/api/v1/query?%s" % (base_url.rstrip("/"), urlencode({"query": promql}))
    document = fetch(requester, url, redactor)
    if document.get("status") != "success":
        raise QueryRejected("Prometheus rejected the query %r: %s" % (promql, document.get("error")))
    return series_values(document.get("data") or {})


def fetch(requester, url, redactor=NO_SECRETS):
    try:
        response = requester.open("GET", url)
        body = response.read()
    except HTTPError as exc:
        body = exc.read() if exc.fp else b""
        if exc.code in (400, 422):
            raise QueryRejected("Prometheus rejected the query: %s" % error_text(body, redactor))
        raise RunbookError("Prometheus answered HTTP %d: %s" % (exc.code, error_text(body, redactor)))
    except Exception as exc:  # pylint: disable=broad-except
        raise RunbookError("Prometheus is unreachable: %s" % redactor.text(transport_error(exc)))
    try:
        return json.loads(body)
    except ValueError:
        raise RunbookError("Prometheus answered something that is not JSON: %r" % redactor.excerpt(body, 120))


def error_text(body, redactor=NO_SECRETS):
    try:
        message = json.loads(body).get("error")
    except (ValueError, AttributeError):
        message = None
    return redactor.excerpt(str(message) if message else body, 200)


def series_values(data):
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return finite({"scalar": result[1]})
    if kind == "vector":
        return finite(dict((series_name(item.get("metric") or {}), item["value"][1]) for item in result or []))
    raise RunbookError("the query must return a scalar or an instant vector, not %s" % kind)


def series_name(labels):
    if not labels:
        return "{}"
    return "{%s}" % ",".join('%s="%s"' % (key, labels[key]) for key in sorted(labels))


def finite(values):
    numbers = dict((name, float(value)) for name, value in values.items())
    return dict((name, value) for name, value in numbers.items() if not math.isnan(value))
