# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn the module's ``checks`` / ``wait_for`` options into validated check dicts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible.module_utils.six.moves.urllib.parse import urljoin, urlsplit

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.smoke import assertions

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def validate_base_url(base_url):
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("base_url", base_url, "use an absolute http:// or https:// URL, e.g. http://127.0.0.1:8000")
    try:
        parts.port
    except ValueError:
        raise InputError("base_url", base_url, "the port must be a number between 0 and 65535")
    return base_url.rstrip("/") + "/"


def build_check(base_url, spec, option):
    """A check dict ready for ``probe``: absolute URL, encoded body, compiled assertions."""
    name = spec.get("name") or spec.get("path") or "/"
    method = (spec.get("method") or "GET").upper()
    if method not in METHODS:
        raise InputError("%s.method" % option, spec.get("method"), "use one of %s" % ", ".join(METHODS))
    if spec.get("json") is not None and spec.get("body") is not None:
        raise InputError("%s.body" % option, spec.get("body"), "give either json or body, not both")
    headers = dict(spec.get("headers") or {})
    data = None
    if spec.get("json") is not None:
        data = json.dumps(spec["json"]).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    elif spec.get("body") is not None:
        data = spec["body"].encode("utf-8")
    return {
        "name": name,
        "url": check_url(base_url, spec.get("path") or "/", option),
        "method": method,
        "headers": headers,
        "data": data,
        "status_codes": status_codes(spec.get("status_codes") or [200], option),
        "body_contains": spec.get("body_contains"),
        "body_regex": compile_regex(spec.get("body_regex"), option),
        "assertions": [assertions.parse(text, "%s.assertions" % option) for text in spec.get("assertions") or []],
        "max_latency_ms": positive(spec.get("max_latency_ms"), "%s.max_latency_ms" % option),
    }


def build_checks(base_url, specs):
    if not specs:
        raise InputError("checks", specs, "give at least one check, e.g. [{name: health, path: /health}]")
    checks = [build_check(base_url, spec, "checks[%d]" % index) for index, spec in enumerate(specs)]
    names = [check["name"] for check in checks]
    duplicates = sorted(set(name for name in names if names.count(name) > 1))
    if duplicates:
        raise InputError("checks", duplicates, "give each check a unique name")
    return checks


def check_url(base_url, path, option):
    url = urljoin(base_url, path.lstrip("/")) if not urlsplit(path).scheme else path
    if urlsplit(url).scheme not in ("http", "https"):
        raise InputError("%s.path" % option, path, "use a path like /health or an absolute http(s) URL")
    return url


def status_codes(codes, option):
    for code in codes:
        if not 100 <= code <= 599:
            raise InputError("%s.status_codes" % option, codes, "HTTP status codes are between 100 and 599")
    return list(codes)


def compile_regex(pattern, option):
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise InputError("%s.body_regex" % option, pattern, "the regular expression does not compile: %s" % exc)


def positive(value, option):
    if value is not None and value <= 0:
        raise InputError(option, value, "use a number greater than 0")
    return value
