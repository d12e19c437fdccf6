# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import socket
import ssl

import pytest

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError

from ansible_collections.runbook.ops.plugins.module_utils.redact import Redactor
from ansible_collections.runbook.ops.plugins.module_utils.smoke.checks import build_check
from ansible_collections.runbook.ops.plugins.module_utils.smoke.probe import probe


class FakeResponse:
    def __init__(self, status, body):
        self.status = status
        self.body = body

    def read(self, limit):
        return self.body[:limit]

    def close(self):
        pass


class FakeRequester:
    """Stands in for ansible.module_utils.urls.Request: returns or raises what it is given."""

    def __init__(self, outcome):
        self.outcome = outcome
        self.calls = []

    def open(self, method, url, data=None, headers=None):
        self.calls.append((method, url, data, headers))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def check(**spec):
    spec.setdefault("path", "/health")
    return build_check("http://127.0.0.1:9/", spec, "checks[0]")


def http_error(code, body):
    return HTTPError("http://127.0.0.1:9/health", code, "error", {}, io.BytesIO(body))


def cert_error():
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "unable to get local issuer certificate"
    return error


CASES = [
    ("passes", {}, FakeResponse(200, b'{"status": "healthy"}'), None),
    ("status", {}, http_error(503, b'{"status": "unhealthy"}'), 'status 503 not in [200]: {"status": "unhealthy"}'),
    ("accepted error status", {"status_codes": [503]}, http_error(503, b""), None),
    ("redirect not followed", {}, http_error(302, b""), "status 302 not in [200]"),
    ("refused", {}, URLError(ConnectionRefusedError(111, "Connection refused")),
     "connection refused: [Errno 111] Connection refused"),
    ("timeout", {}, URLError(socket.timeout("timed out")), "timeout: timed out"),
    ("read timeout", {}, TimeoutError("The read operation timed out"), "timeout: The read operation timed out"),
    ("unknown CA", {}, URLError(cert_error()),
     "TLS failure: certificate verify failed: unable to get local issuer certificate"),
    ("TLS other", {}, URLError(ssl.SSLError(1, "wrong version number")), "TLS failure: wrong version number"),
    ("name", {}, URLError(socket.gaierror(-2, "Name or service not known")),
     "name resolution failed: [Errno -2] Name or service not known"),
    ("reset", {}, ConnectionResetError(104, "reset"), "request failed: ConnectionResetError: [Errno 104] reset"),
    ("not JSON", {"assertions": ["success == true"]}, FakeResponse(200, b"<html>hi</html>"),
     "response is not JSON: <html>hi</html>"),
    ("assertion", {"assertions": ["success == true", "status == ok"]},
     FakeResponse(200, b'{"success": true, "status": "down"}'), "assertion 'status == ok' failed: value seen \"down\""),
    ("substring", {"body_contains": "healthy"}, FakeResponse(200, b"sick"), "body does not contain 'healthy': sick"),
    ("regex", {"body_regex": "^ok$"}, FakeResponse(200, b"nok"), "body does not match /^ok$/: nok"),
    ("regex passes", {"body_regex": "ok"}, FakeResponse(200, b"nok"), None),
]


@pytest.mark.parametrize("spec, outcome, error", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_failure_kind_becomes_a_sample_error(spec, outcome, error):
    sample = probe(FakeRequester(outcome), check(**spec))
    assert sample["error"] == error


def test_no_response_means_no_latency():
    sample = probe(FakeRequester(URLError(ConnectionRefusedError(111, "refused"))), check())
    assert sample["latency_ms"] is None and sample["status"] is None


def test_response_has_latency_and_status():
    sample = probe(FakeRequester(http_error(500, b"")), check())
    assert sample["status"] == 500
    assert sample["latency_ms"] >= 0


def test_latency_limit_makes_slow_responses_errors():
    sample = probe(FakeRequester(FakeResponse(200, b"")), check(max_latency_ms=0.000001))
    assert sample["error"].startswith("latency ") and sample["error"].endswith("over the limit of 1e-06 ms")


def test_request_carries_method_body_and_headers():
    requester = FakeRequester(FakeResponse(200, b""))
    probe(requester, check(method="POST", body="raw", headers={"X-A": "1"}))
    assert requester.calls == [("POST", "http://127.0.0.1:9/health", b"raw", {"X-A": "1"})]


SECRET = "s3cr3t-t0ken-0123456789"
ECHO = ('{"headers": {"Accept": "*/*", "Host": "127.0.0.1:9", "User-Agent": "runbook.ops.smoke_check", '
        '"Authorization": "Bearer %s"}}' % SECRET).encode()


@pytest.mark.parametrize("spec, outcome", [
    ({}, http_error(500, ECHO)),
    ({"status_codes": [204]}, FakeResponse(200, ECHO)),
    ({"assertions": ["headers == {}"]}, FakeResponse(200, ECHO)),
    ({"assertions": ["headers.Authorization == nothing"]}, FakeResponse(200, ECHO)),
    ({"body_contains": "nothing"}, FakeResponse(200, ECHO)),
    ({"assertions": ["success == true"]}, FakeResponse(200, ECHO[:-1])),
], ids=["error status", "unexpected status", "assertion on the headers", "assertion on the token",
        "substring", "not JSON"])
def test_errors_quoting_an_echoed_secret_mask_it_before_the_excerpt_is_cut(spec, outcome):
    for cut in range(0, len(SECRET)):
        # Shift the token across the excerpt's cut; no prefix of it may survive.
        body = outcome.body if isinstance(outcome, FakeResponse) else None
        shifted = ECHO.replace(b'"Accept": "*/*"', b'"Accept": "' + b"*" * cut + b'"')
        if body is not None:
            outcome = FakeResponse(outcome.status, shifted if body.endswith(b"}") else shifted[:-1])
        else:
            outcome = http_error(500, shifted)
        sample = probe(FakeRequester(outcome), check(**spec), Redactor([SECRET]))
        assert sample["error"] and SECRET[:4] not in sample["error"], sample["error"]
