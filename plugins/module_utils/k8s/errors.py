# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes client errors mapped in one place: ApiError, raised from the client's exception.

Every failed call becomes one line that is true about its cause: the HTTP status, the reason and
message of the API server's Status object (which name the RBAC rule or the admission webhook that
refused, or the webhook that timed out), or the address of an API server that cannot be reached.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import json
import re
from contextlib import contextmanager

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

try:
    from kubernetes.client.exceptions import ApiException
    from kubernetes.dynamic.exceptions import ResourceNotFoundError, ResourceNotUniqueError
except ImportError:  # modules check for the kubernetes library before they connect; unit tests use these
    class ApiException(Exception):
        def __init__(self, status=None, reason=None, http_resp=None):
            super(ApiException, self).__init__(status, reason)
            self.status, self.reason, self.body, self.headers = status, reason, None, None

    class ResourceNotFoundError(Exception):
        pass

    class ResourceNotUniqueError(Exception):
        pass

try:
    from urllib3.exceptions import HTTPError as TransportError
    from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError, SSLError
except ImportError:  # urllib3 comes with the kubernetes library; these stand-ins keep urllib3's shape
    class TransportError(Exception):
        pass

    class MaxRetryError(TransportError):
        def __init__(self, pool, url, reason=None):
            super(MaxRetryError, self).__init__("%s: Max retries exceeded with url: %s (Caused by %r)"
                                                % (pool, url, reason))
            self.pool, self.url, self.reason = pool, url, reason

    class NewConnectionError(TransportError):
        def __init__(self, conn, message):
            super(NewConnectionError, self).__init__("%s: %s" % (conn, message))
            self.conn = conn

    class ReadTimeoutError(TransportError):
        def __init__(self, pool, url, message):
            super(ReadTimeoutError, self).__init__("%s: %s" % (pool, message))
            self.pool, self.url = pool, url

    class SSLError(TransportError):
        pass

    class ProtocolError(TransportError):
        pass

# Failures of a call to the API server, as opposed to failures of the caller.
CLIENT_ERRORS = (ApiException, TransportError, ResourceNotFoundError, ResourceNotUniqueError)
WEBHOOK_DENIED = re.compile(r'admission webhook "([^"]+)" denied the request')
WEBHOOK_FAILED = re.compile(r'failed calling webhook "([^"]+)"')
POLICY_DENIED = re.compile(r"ValidatingAdmissionPolicy '([^']+)'(?: with binding '[^']+')? denied request")
# The authorizer's wording (k8s.io/apiserver responsewriters.forbiddenMessage); RBAC is what authorizes here.
AUTHORIZATION_DENIED = re.compile(r'forbidden: User "[^"]*" cannot ')
TIMED_OUT = re.compile(r"context deadline exceeded|timed out|timeout exceeded|i/o timeout", re.IGNORECASE)
CONNECTION_PREFIX = re.compile(r"^\w*Connection(?:Pool)?\([^)]*\):\s*")
MAX_BODY = 300


class ApiError(RunbookError):
    """A failed call to the API server.

    ``error`` is the client's exception, ``status`` the HTTP status (None when no answer came) and
    ``status_reason`` the Status object's reason. ``reason`` holds the whole description after "HTTP <status> ", so code that
    reports ``"HTTP %s %s" % (exc.status, exc.reason)`` as for a client exception reports it all.
    """

    def __init__(self, action, exc, address=None, outcome=None):
        self.error = exc
        self.description = describe(exc, address)
        self.status = exc.status if isinstance(exc, ApiException) else None
        self.status_reason = status_of(exc).get("reason") if isinstance(exc, ApiException) else None
        self.reason = self.description[len("HTTP %s " % self.status):] if self.status else self.description
        msg = "%s: %s" % (action, self.description) if action else self.description
        super(ApiError, self).__init__("%s; %s" % (msg, outcome) if outcome else msg)


@contextmanager
def failing_as(action, address=None):
    """A client error inside raises ApiError("<action>: <description>"); action None gives the description."""
    try:
        yield
    except Exception as exc:  # pylint: disable=broad-except
        if not isinstance(exc, CLIENT_ERRORS):
            raise
        raise ApiError(action, exc, address) from exc


class DescribedResource:
    """A dynamic-client resource whose errors carry the API server's whole answer.

    For code that catches the client's exceptions and reports ``HTTP <status> <reason>``: an API
    error keeps its type and status, its ``reason`` becomes the whole description; a request that
    got no answer raises ApiError with the description alone (the caller names what it was doing).
    """

    def __init__(self, resource, address=None):
        self._resource = resource
        self._address = address

    def __getattr__(self, name):
        attribute = getattr(self._resource, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def described(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except Exception as exc:  # pylint: disable=broad-except
                if not isinstance(exc, CLIENT_ERRORS):
                    raise
                if isinstance(exc, ApiException):
                    exc.reason = ApiError(None, exc, self._address).reason
                    raise
                raise ApiError(None, exc, self._address) from exc
        return described


def describe(exc, address=None):
    """One line for a failed client call; ``address`` names the API server when the error does not."""
    if isinstance(exc, ApiException):
        return describe_status(exc)
    if isinstance(exc, TransportError):
        return describe_transport(exc, address)
    if isinstance(exc, ResourceNotFoundError):
        return "not served by the API server: %s" % one_line(exc)
    if isinstance(exc, ResourceNotUniqueError):
        return "more than one resource of the API server matches: %s" % one_line(exc)
    return "%s: %s" % (type(exc).__name__, one_line(exc)) if str(exc) else type(exc).__name__


def status_of(exc):
    """The Status object of an API error's body, or {} when the body is not one."""
    body = getattr(exc, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        status = json.loads(body) if body else {}
    except ValueError:
        return {}
    return status if isinstance(status, dict) and status.get("kind") == "Status" else {}


def describe_status(exc):
    """HTTP <code> <reason> (<cause>): <message>, the reason and message being the Status object's."""
    status = status_of(exc)
    message = one_line(status.get("message") or "")
    if not status and getattr(exc, "body", None):
        body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else str(exc.body)
        message = one_line(body)[:MAX_BODY]
    head = "HTTP %s %s" % (exc.status, status.get("reason") or exc.reason or "")
    found = cause(exc.status, message)
    text = "%s (%s)" % (head.rstrip(), found) if found else head.rstrip()
    return "%s: %s" % (text, message) if message else text


def cause(code, message):
    """What refused the request, when the Status says so; None when the message speaks for itself."""
    webhook = WEBHOOK_DENIED.search(message)
    if webhook:
        return 'denied by admission webhook "%s"' % webhook.group(1)
    webhook = WEBHOOK_FAILED.search(message)
    if webhook and TIMED_OUT.search(message):
        return 'admission webhook "%s" timed out' % webhook.group(1)
    if webhook:
        return 'admission webhook "%s" could not be called' % webhook.group(1)
    policy = POLICY_DENIED.search(message)
    if policy:
        return "denied by ValidatingAdmissionPolicy '%s'" % policy.group(1)
    if code == 403 and AUTHORIZATION_DENIED.search(message):
        return "forbidden by RBAC"
    if code == 401:
        return "the API server did not accept the credentials"
    if code == 429:
        return "the API server is throttling requests"
    if code == 504 or (code == 500 and TIMED_OUT.search(message)):
        return "the API server timed out"
    return None


def describe_transport(exc, address=None):
    """A request that got no answer: what happened, naming the API server's address."""
    where = pool_address(exc) or address
    server = "the Kubernetes API server at %s" % where if where else "the Kubernetes API server"
    inner = exc.reason if isinstance(exc, MaxRetryError) and exc.reason is not None else exc
    detail = CONNECTION_PREFIX.sub("", one_line(inner))
    if isinstance(inner, NewConnectionError):
        return "cannot connect to %s: %s" % (server, detail.replace("Failed to establish a new connection: ", ""))
    if isinstance(inner, ReadTimeoutError):
        return "%s did not answer in time: %s" % (server, detail)
    if isinstance(inner, SSLError):
        return "TLS with %s failed: %s" % (server, detail)
    if isinstance(inner, ProtocolError):
        return "the connection to %s broke: %s" % (server, detail)
    return "no answer from %s: %s: %s" % (server, type(inner).__name__, detail)


def pool_address(exc):
    pool = getattr(exc, "pool", None)
    if pool is None or not getattr(pool, "host", None):
        return None
    return "%s://%s:%s" % (getattr(pool, "scheme", "https"), pool.host, pool.port)


def one_line(value):
    return " ".join(str(value).split())
