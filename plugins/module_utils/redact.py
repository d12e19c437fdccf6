# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mask a module's secrets in everything it returns or writes.

Ansible masks the values of ``no_log`` options in a module's result, but not the forms a service
can echo back (``Bearer <token>``, the base64 of ``user:password`` of basic authentication, the
URL- or JSON-escaped value) and not the files a module writes. A ``Redactor`` knows every form of
every secret and replaces them with ``MASK`` in strings, nested results and excerpts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import re

from ansible.module_utils.six.moves.urllib.parse import quote, quote_plus

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

MASK = "********"
# Header names whose values are credentials even when given as ordinary headers.
_SECRET_HEADER = re.compile(r"auth|token|secret|passw|cookie|session|api[-_]?key|credential|signature", re.I)
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_-]*)\s+(\S.*?)\s*$")


class Redactor:
    """Replace every form of the given secrets with ``MASK``."""

    def __init__(self, secrets=()):
        forms = set()
        for secret in secrets:
            forms.update(variants(secret))
        # Longest first, so a secret containing another one is masked whole.
        self.forms = sorted((form for form in forms if form), key=lambda form: (-len(form), form))

    def text(self, text):
        """``text`` with every secret form masked; non-strings are returned unchanged."""
        if not isinstance(text, str) or not self.forms:
            return text
        for form in self.forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def value(self, data):
        """A copy of a nested result (dicts, lists, tuples, strings) with every string masked."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return dict((self.text(key), self.value(item)) for key, item in data.items())
        if isinstance(data, (list, tuple)):
            return [self.value(item) for item in data]
        return data

    def excerpt(self, data, limit):
        """The first ``limit`` characters of ``data`` (bytes or str), masked before it is cut.

        Masking first means a secret that straddles the cut cannot leave its first characters behind.
        """
        if isinstance(data, bytes):
            # Without secrets, only the bytes that can make ``limit + 1`` characters need decoding.
            data = (data if self.forms else data[:4 * limit + 4]).decode("utf-8", "replace")
        text = self.text(data)
        return text if len(text) <= limit else text[:limit] + "..."

    def error(self, error):
        """A ``RunbookError`` like ``error`` with its message and details masked."""
        return RunbookError(self.text(error.msg), **self.value(error.details))

    def __contains__(self, text):
        return isinstance(text, str) and any(form in text for form in self.forms)


NO_SECRETS = Redactor()


def variants(secret):
    """The forms in which ``secret`` may come back: as is, URL-encoded and JSON-escaped."""
    if secret is None or isinstance(secret, bool):
        return set()
    text = secret if isinstance(secret, str) else str(secret)
    if not text:
        return set()
    return {text, quote(text, safe=""), quote_plus(text, safe=""), json.dumps(text)[1:-1],
            json.dumps(text, ensure_ascii=False)[1:-1]}


def no_log_values(argument_spec, params):
    """The values of every ``no_log`` option of ``argument_spec``, suboptions included."""
    found = []
    for name, spec in argument_spec.items():
        value = (params or {}).get(name)
        if value is None:
            continue
        if spec.get("no_log"):
            found.extend(leaves(value))
        elif spec.get("options"):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    found.extend(no_log_values(spec["options"], item))
    return found


def leaves(value):
    """Every scalar inside ``value`` (the values of a dict, the items of a list)."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in leaves(item)]
    return [] if value is None else [value]


def header_secrets(headers):
    """Values of headers whose names say they carry credentials, and their credential parts.

    ``Authorization: Basic <b64>`` yields the header value, ``<b64>`` and the decoded password.
    """
    found = []
    for name, value in (headers or {}).items():
        if value is None or not _SECRET_HEADER.search(str(name)):
            continue
        value = str(value)
        found.append(value)
        match = _SCHEME.match(value)
        if match and match.group(1).lower() in ("basic", "bearer", "token", "digest", "negotiate", "apikey"):
            found.append(match.group(2))
            if match.group(1).lower() == "basic":
                found.extend(basic_credentials(match.group(2)))
    return found


def basic_credentials(encoded):
    """The password inside a basic-authentication credential, when it decodes."""
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return []
    return [decoded, decoded.partition(":")[2]] if ":" in decoded else [decoded]


def basic_auth_forms(username, password):
    """``user:password`` and its base64 form, as sent in ``Authorization: Basic``."""
    if not password:
        return []
    pair = "%s:%s" % (username or "", password)
    return [pair, base64.b64encode(pair.encode("utf-8")).decode("ascii")]
