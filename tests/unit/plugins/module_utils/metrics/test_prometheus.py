# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json

import pytest

from ansible.module_utils.six.moves.urllib.error import HTTPError

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.metrics import gate, plan, prometheus
from ansible_collections.runbook.ops.plugins.module_utils.redact import Redactor

TOKEN = "prom-t0ken-abcdef0123456789"


class Answer:
    def __init__(self, body):
        self.body = body

    def read(self):
        return self.body


class Requester:
    """Stands in for ansible.module_utils.urls.Request: answers every request with ``outcome``."""

    def __init__(self, outcome):
        self.outcome = outcome

    def open(self, method, url):
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def http_error(code, body):
    return HTTPError("http://127.0.0.1:9/api/v1/query", code, "error", {}, io.BytesIO(body))


# A proxy in front of Prometheus that quotes the request, credentials included, at every offset.
def quoting(prefix_length):
    return ("x" * prefix_length + "Authorization: Bearer " + TOKEN + " " + "y" * 300).encode()


@pytest.mark.parametrize("make, kind", [
    (lambda n: http_error(502, quoting(n)), RunbookError),
    (lambda n: http_error(400, json.dumps({"error": quoting(n).decode()}).encode()), prometheus.QueryRejected),
    (lambda n: Answer(quoting(n)), RunbookError),
], ids=["error status", "rejected query", "not JSON"])
def test_quoted_answers_never_show_the_token(make, kind):
    for offset in range(0, 200, 7):
        with pytest.raises(kind) as raised:
            prometheus.query(Requester(make(offset)), "http://127.0.0.1:9", "up", Redactor([TOKEN]))
        assert TOKEN[:4] not in raised.value.msg, raised.value.msg


def test_an_unreachable_prometheus_is_an_inconclusive_measurement_with_the_token_masked():
    built = plan.build(dict(url="http://127.0.0.1:9", query="up", check=None, success_condition=None,
                            failure_condition="value > 1", interval=1.0, count=1, duration=None, failure_limit=0,
                            inconclusive_limit=0, no_data="inconclusive"))
    measurement = gate.measure(Requester(http_error(503, ("token=" + TOKEN).encode())), built, Redactor([TOKEN]))
    assert measurement["verdict"] == "inconclusive"
    assert measurement["error"] == "Prometheus answered HTTP 503: token=********"
