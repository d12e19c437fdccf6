# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP request of a check, through Ansible's URL helpers, turned into a sample.

A sample is ``{"latency_ms": float or None, "status": int or None, "error": str or None}``;
every failure (refused, timeout, TLS, status, body, assertion) becomes ``error``, never an exception.
Errors quote the response, masked by the ``Redactor`` of the module's secrets before they are cut short.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import ssl
import time

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError

from ansible_collections.runbook.ops.plugins.module_utils.redact import NO_SECRETS

READ_LIMIT = 4 * 1024 * 1024
EXCERPT_CHARS = 120


def probe(requester, check, redactor=NO_SECRETS):
    """Send one request for ``check`` (a validated check dict) and judge the response."""
    started = time.monotonic()
    status, body, error = send(requester, check)
    latency = (time.monotonic() - started) * 1000.0
    if status is None:
        return {"latency_ms": None, "status": None, "error": redactor.text(error)}
    return {"latency_ms": latency, "status": status, "error": redactor.text(judge(check, status, body, latency, redactor))}


def send(requester, check):
    """Return (status, body bytes, error); status is None when no HTTP response arrived."""
    try:
        response = requester.open(check["method"], check["url"], data=check["data"], headers=check["headers"])
        try:
            return response.status, response.read(READ_LIMIT), None
        finally:
            response.close()
    except HTTPError as exc:
        try:
            body = exc.read(READ_LIMIT) if exc.fp else b""
        except (OSError, ValueError):
            body = b""
        return exc.code, body, None
    except Exception as exc:  # pylint: disable=broad-except
        return None, None, transport_error(exc)


def transport_error(exc):
    """A short, verbatim description of a failure that produced no HTTP response."""
    reason = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "TLS failure: certificate verify failed: %s" % (reason.verify_message or reason)
    if isinstance(reason, ssl.SSLError):
        return "TLS failure: %s" % reason
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused: %s" % reason
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return "timeout: %s" % (reason or "no response in time")
    if isinstance(reason, socket.gaierror):
        return "name resolution failed: %s" % reason
    return "request failed: %s: %s" % (type(reason).__name__, reason)


def judge(check, status, body, latency, redactor=NO_SECRETS):
    """The first way the response fails ``check``, or None."""
    if status not in check["status_codes"]:
        return "status %d not in %s%s" % (status, check["status_codes"], body_excerpt(body, redactor))
    if check["max_latency_ms"] is not None and latency > check["max_latency_ms"]:
        return "latency %.1f ms over the limit of %s ms" % (latency, check["max_latency_ms"])
    text = body.decode("utf-8", "replace")
    if check["body_contains"] is not None and check["body_contains"] not in text:
        return "body does not contain %r%s" % (check["body_contains"], body_excerpt(body, redactor))
    if check["body_regex"] is not None and not check["body_regex"].search(text):
        return "body does not match /%s/%s" % (check["body_regex"].pattern, body_excerpt(body, redactor))
    if check["assertions"]:
        return judge_json(check["assertions"], text, redactor)
    return None


def judge_json(assertions, text, redactor=NO_SECRETS):
    try:
        document = json.loads(text)
    except ValueError:
        return "response is not JSON%s" % body_excerpt(text, redactor)
    for assertion in assertions:
        failure = assertion.check(document, redactor)
        if failure:
            return failure
    return None


def body_excerpt(body, redactor=NO_SECRETS):
    """``: <the first characters of the body>``, secrets masked, or nothing for an empty body."""
    if not body:
        return ""
    return ": %s" % redactor.excerpt(body, EXCERPT_CHARS).replace("\n", " ")
