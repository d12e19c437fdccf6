# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions on a JSON response: ``PATH [| length] OPERATOR VALUE``.

PATH is dotted keys with optional list indexes (``data.items[0].id``, ``.`` for the whole
document). VALUE is JSON (``true``, ``3``, ``"ok"``, ``[1, 2]``) or a bare word / a list of bare
words (``ok``, ``[ok, healthy]``). Examples: ``success == true``, ``status in [ok, healthy]``,
``items | length > 0``, ``release != v1``, ``name matches ^judg``, ``error exists``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError

OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "not in", "in", "contains", "matches", "exists", "absent")
UNARY = ("exists", "absent")
MISSING = object()
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")
_EXPRESSION = re.compile(
    r"^\s*(?P<path>[^|\s<>=!]+)\s*(?:\|\s*(?P<filter>\w+)\s*)?"
    r"(?P<op>==|!=|<=|>=|<|>|[<>=!~]\S*|(?<=\s)not in\b|(?<=\s)\S+)\s*(?P<value>.*?)\s*$")


class Assertion:
    """One parsed assertion; ``check(document)`` returns None or a message with the value seen.

    ``redactor`` (a ``Redactor``) masks secrets in the value seen before it is cut short.
    """

    def __init__(self, text, path_text, path, length, operator, expected):
        self.text = text
        self.path_text = path_text
        self.path = path
        self.length = length
        self.operator = operator
        self.expected = expected

    def check(self, document, redactor=None):
        seen = lookup(document, self.path)
        if self.operator in UNARY:
            ok = (seen is not MISSING) == (self.operator == "exists")
            return None if ok else "assertion '%s' failed: value seen %s" % (self.text, describe(seen, redactor))
        if seen is MISSING:
            return "assertion '%s' failed: %s not found in the response" % (self.text, self.path_text)
        if self.length:
            if not isinstance(seen, (list, dict, str)):
                return "assertion '%s' failed: value seen %s has no length" % (self.text, describe(seen, redactor))
            seen = len(seen)
        try:
            ok = compare(self.operator, seen, self.expected)
        except TypeError:
            ok = False
        return None if ok else "assertion '%s' failed: value seen %s" % (self.text, describe(seen, redactor))


def parse(text, option="assertions"):
    """Parse one assertion, raising InputError naming ``option`` when it is not valid."""
    match = _EXPRESSION.match(text or "")
    if not match:
        raise InputError(option, text, "write PATH OPERATOR VALUE, e.g. 'success == true'")
    operator = match.group("op")
    if operator not in OPERATORS:
        raise InputError(option, text, "unknown operator %r; use one of %s" % (operator, ", ".join(OPERATORS)))
    if match.group("filter") not in (None, "length"):
        raise InputError(option, text, "unknown filter %r; the only filter is 'length'" % match.group("filter"))
    value_text = match.group("value")
    if operator in UNARY:
        if value_text:
            raise InputError(option, text, "'%s' takes no value" % operator)
        expected = None
    else:
        if not value_text:
            raise InputError(option, text, "operator '%s' needs a value after it" % operator)
        expected = parse_value(value_text)
    if operator == "matches":
        try:
            expected = re.compile(str(expected))
        except re.error as exc:
            raise InputError(option, text, "the regular expression does not compile: %s" % exc)
    if operator in ("in", "not in") and not isinstance(expected, list):
        raise InputError(option, text, "'%s' needs a list, e.g. [ok, healthy]" % operator)
    return Assertion(text, match.group("path"), parse_path(match.group("path"), option, text), match.group("filter") == "length",
                     operator, expected)


def parse_path(path, option, text):
    if path == ".":
        return []
    parts = []
    position = 0
    for match in _PATH_PART.finditer(path):
        between = path[position:match.start()]
        if between not in ("", "."):
            raise InputError(option, text, "the path %r is not valid; use keys and [index], e.g. items[0].id" % path)
        parts.append(int(match.group(2)) if match.group(2) is not None else match.group(1))
        position = match.end()
    if not parts or path[position:]:
        raise InputError(option, text, "the path %r is not valid; use keys and [index], e.g. items[0].id" % path)
    return parts


def parse_value(text):
    try:
        return json.loads(text)
    except ValueError:
        pass
    if text.startswith("[") and text.endswith("]"):
        return [parse_value(item.strip()) for item in text[1:-1].split(",") if item.strip()]
    return text.strip("'\"")


def lookup(document, path):
    current = document
    for part in path:
        if isinstance(part, int) and isinstance(current, list) and -len(current) <= part < len(current):
            current = current[part]
        elif not isinstance(part, int) and isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return MISSING
    return current


def compare(operator, seen, expected):
    if operator == "==":
        return seen == expected
    if operator == "!=":
        return seen != expected
    if operator == "<":
        return seen < expected
    if operator == "<=":
        return seen <= expected
    if operator == ">":
        return seen > expected
    if operator == ">=":
        return seen >= expected
    if operator == "in":
        return seen in expected
    if operator == "not in":
        return seen not in expected
    if operator == "contains":
        return expected in seen
    return expected.search(str(seen)) is not None


def describe(value, redactor=None):
    if value is MISSING:
        return "(missing)"
    text = json.dumps(value, sort_keys=True)
    if redactor is not None:
        return redactor.excerpt(text, 200)
    return text if len(text) <= 200 else text[:200] + "..."
