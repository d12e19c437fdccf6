# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.k8s import errors as k8s_errors
from ansible_collections.runbook.ops.tests.unit.plugins.module_utils.k8s.fakes import Connection, Pool

RBAC = ('services "part-3" is forbidden: User "runbook-restricted" cannot patch resource "services" in API group "" '
        'in the namespace "shop"')
DENIED = 'admission webhook "deny.example.com" denied the request: Service bi is frozen'
TIMEOUT = ('Internal error occurred: failed calling webhook "deny.example.com": failed to call webhook: '
           'Post "https://127.0.0.1:8443/validate?timeout=2s": context deadline exceeded')
REFUSED = ('Internal error occurred: failed calling webhook "deny.example.com": failed to call webhook: '
           'Post "https://127.0.0.1:8443/validate?timeout=2s": dial tcp 127.0.0.1:8443: connect: connection refused')
POLICY = ("services \"bi\" is forbidden: ValidatingAdmissionPolicy 'frozen' with binding 'frozen-binding' denied "
          "request: no changes on Fridays")
CONFLICT = ('Operation cannot be fulfilled on services "bi": the object has been modified; please apply your changes '
            'to the latest version and try again')


def api_error(code, http_reason, message=None, reason=None, body=None):
    """An API error as the client raises it: the HTTP reason phrase, and the Status object in the body."""
    exc = k8s_errors.ApiException(status=code, reason=http_reason)
    if body is None and message is not None:
        body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
                           "reason": reason, "code": code}).encode("utf-8")
    exc.body = body
    return exc


@pytest.mark.parametrize("exc, expected", [
    (api_error(403, "Forbidden", RBAC, "Forbidden"), "HTTP 403 Forbidden (forbidden by RBAC): " + RBAC),
    (api_error(403, "Forbidden", DENIED, "Frozen"),
     'HTTP 403 Frozen (denied by admission webhook "deny.example.com"): ' + DENIED),
    (api_error(403, "Forbidden", DENIED),
     'HTTP 403 Forbidden (denied by admission webhook "deny.example.com"): ' + DENIED),
    (api_error(400, "Bad Request", DENIED, "Frozen"),
     'HTTP 400 Frozen (denied by admission webhook "deny.example.com"): ' + DENIED),
    (api_error(500, "Internal Server Error", DENIED),
     'HTTP 500 Internal Server Error (denied by admission webhook "deny.example.com"): ' + DENIED),
    (api_error(500, "Internal Server Error", TIMEOUT, "InternalError"),
     'HTTP 500 InternalError (admission webhook "deny.example.com" timed out): ' + TIMEOUT),
    (api_error(500, "Internal Server Error", REFUSED, "InternalError"),
     'HTTP 500 InternalError (admission webhook "deny.example.com" could not be called): ' + REFUSED),
    (api_error(422, "Unprocessable Entity", POLICY, "Invalid"),
     "HTTP 422 Invalid (denied by ValidatingAdmissionPolicy 'frozen'): " + POLICY),
    (api_error(409, "Conflict", CONFLICT, "Conflict"), "HTTP 409 Conflict: " + CONFLICT),
    (api_error(404, "Not Found", 'services "bi" not found', "NotFound"), 'HTTP 404 NotFound: services "bi" not found'),
    (api_error(401, "Unauthorized", "Unauthorized", "Unauthorized"),
     "HTTP 401 Unauthorized (the API server did not accept the credentials): Unauthorized"),
    (api_error(429, "Too Many Requests", "Too many requests, please try again later.", "TooManyRequests"),
     "HTTP 429 TooManyRequests (the API server is throttling requests): Too many requests, please try again later."),
    (api_error(504, "Gateway Timeout", "Timeout: request did not complete within 60s", "Timeout"),
     "HTTP 504 Timeout (the API server timed out): Timeout: request did not complete within 60s"),
    # Not a Status: the body as it came, on one line; none at all: the HTTP status alone.
    (api_error(502, "Bad Gateway", body=b"<html>\n<h1>502 Bad Gateway</h1>\n</html>"),
     "HTTP 502 Bad Gateway: <html> <h1>502 Bad Gateway</h1> </html>"),
    (api_error(503, "Service Unavailable"), "HTTP 503 Service Unavailable"),
    (k8s_errors.MaxRetryError(Pool(), "/api", k8s_errors.NewConnectionError(
        Connection(), "Failed to establish a new connection: [Errno 111] Connection refused")),
     "cannot connect to the Kubernetes API server at https://127.0.0.1:6443: [Errno 111] Connection refused"),
    (k8s_errors.MaxRetryError(Pool(), "/api", k8s_errors.SSLError("certificate verify failed")),
     "TLS with the Kubernetes API server at https://127.0.0.1:6443 failed: certificate verify failed"),
    (k8s_errors.ReadTimeoutError(Pool(), "/api/v1/services", "Read timed out. (read timeout=5)"),
     "the Kubernetes API server at https://127.0.0.1:6443 did not answer in time: Read timed out. (read timeout=5)"),
    (k8s_errors.ProtocolError("Connection aborted.", "RemoteDisconnected"),
     "the connection to the Kubernetes API server broke: ('Connection aborted.', 'RemoteDisconnected')"),
    (k8s_errors.ResourceNotFoundError("No matches found for {'kind': 'Lease'}"),
     "not served by the API server: No matches found for {'kind': 'Lease'}"),
    (ValueError("odd\nvalue"), "ValueError: odd value"),
])
def test_describe(exc, expected):
    assert k8s_errors.describe(exc) == expected


def test_describe_names_the_address_the_error_does_not():
    exc = k8s_errors.ProtocolError("Connection aborted.")
    assert k8s_errors.describe(exc, "https://10.0.0.1:6443") == (
        "the connection to the Kubernetes API server at https://10.0.0.1:6443 broke: Connection aborted.")


@pytest.mark.parametrize("exc, status, status_reason, reason", [
    (api_error(403, "Forbidden", DENIED, "Frozen"), 403, "Frozen",
     'Frozen (denied by admission webhook "deny.example.com"): ' + DENIED),
    (api_error(403, "Forbidden", RBAC, "Forbidden"), 403, "Forbidden", "Forbidden (forbidden by RBAC): " + RBAC),
    (k8s_errors.ProtocolError("Connection aborted."), None, None,
     "the connection to the Kubernetes API server broke: Connection aborted."),
])
def test_api_error_reads_like_the_client_exception(exc, status, status_reason, reason):
    error = k8s_errors.ApiError("Cannot patch Service bi", exc)
    assert (error.status, error.status_reason, error.reason) == (status, status_reason, reason)
    assert error.msg == "Cannot patch Service bi: " + error.description
    if status:
        assert "HTTP %s %s" % (error.status, error.reason) == error.description


class Resource:
    """A dynamic-client resource whose calls fail with ``failure``."""

    kind = "Lease"

    def __init__(self, failure):
        self.failure = failure

    def create(self, body, namespace):
        raise self.failure


def test_described_resource_keeps_api_errors_and_their_status():
    failure = api_error(403, "Forbidden", DENIED, "Frozen")
    with pytest.raises(k8s_errors.ApiException) as caught:
        k8s_errors.DescribedResource(Resource(failure)).create({}, namespace="shop")
    assert caught.value is failure and caught.value.status == 403
    assert "HTTP %s %s" % (caught.value.status, caught.value.reason) == (
        'HTTP 403 Frozen (denied by admission webhook "deny.example.com"): ' + DENIED)
    assert k8s_errors.DescribedResource(Resource(failure)).kind == "Lease"


def test_described_resource_turns_no_answer_into_an_api_error():
    failure = k8s_errors.ProtocolError("Connection aborted.")
    with pytest.raises(k8s_errors.ApiError) as caught:
        k8s_errors.DescribedResource(Resource(failure), "https://127.0.0.1:6443").create({}, namespace="shop")
    assert caught.value.msg == ("the connection to the Kubernetes API server at https://127.0.0.1:6443 broke: "
                                "Connection aborted.")


def test_failing_as_leaves_other_errors_alone():
    with pytest.raises(KeyError):
        with k8s_errors.failing_as("Cannot list pods"):
            raise KeyError("items")
    with pytest.raises(k8s_errors.ApiError) as caught:
        with k8s_errors.failing_as(None):
            raise api_error(409, "Conflict", CONFLICT, "Conflict")
    assert caught.value.msg == "HTTP 409 Conflict: " + CONFLICT
