# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate metrics_gate's options into a plan before any query is sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.six.moves.urllib.parse import urlparse

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.metrics import checks
from ansible_collections.runbook.ops.plugins.module_utils.smoke import assertions


# The options a gate of O(gates) may set; those it leaves unset come from the module's own.
GATE_OPTIONS = ("url", "query", "check", "success_condition", "failure_condition", "interval", "count", "duration",
                "failure_limit", "inconclusive_limit", "no_data")


def build(params):
    url = params["url"]
    if not url:
        raise InputError("url", url, "give the Prometheus base URL, e.g. http://prometheus:9090")
    if urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
        raise InputError("url", url, "give the Prometheus base URL, e.g. http://prometheus:9090")
    query, failure_text = params["query"], params["failure_condition"]
    if params["check"]:
        query, default_failure = checks.build(params["check"])
        failure_text = failure_text or (None if params["success_condition"] else default_failure)
    if not (failure_text or params["success_condition"]):
        raise InputError("query", query, "give success_condition, failure_condition or both, e.g. 'value < 0.05'")
    for option in ("interval", "duration"):
        if params[option] is not None and params[option] <= 0:
            raise InputError(option, params[option], "use a number of seconds greater than 0")
    for option in ("count", "failure_limit", "inconclusive_limit"):
        minimum = 1 if option == "count" else 0
        if params[option] is not None and params[option] < minimum:
            raise InputError(option, params[option], "use a whole number of %d or more" % minimum)
    return {
        "url": url,
        "query": query,
        "success": condition(params["success_condition"], "success_condition"),
        "failure": condition(failure_text, "failure_condition"),
        "no_data": params["no_data"],
        "interval": params["interval"],
        "count": (params["count"] or 1) if params["duration"] is None else None,
        "duration": params["duration"],
        "failure_limit": params["failure_limit"],
        "inconclusive_limit": params["inconclusive_limit"],
    }


def condition(text, option):
    if text is None:
        return None
    parsed = assertions.parse(text, option)
    if parsed.path_text != "value" or parsed.length or parsed.operator in assertions.UNARY:
        raise InputError(option, text, "compare the measured value, e.g. 'value < 0.05'")
    return parsed


def build_gates(params):
    """One plan per entry of ``gates``: its own options over the module's, validated before any query.

    Returns a list of dicts with ``name`` and ``plan``; a gate's name defaults to its position.
    """
    gates = params["gates"]
    if not gates:
        raise InputError("gates", gates, "give at least one gate, each with query or check")
    built, names = [], set()
    for index, entry in enumerate(gates):
        name = entry.get("name") or "gate %d" % (index + 1)
        if name in names:
            raise InputError("gates[%d].name" % index, name, "give each gate a name of its own")
        names.add(name)
        try:
            built.append({"name": name, "plan": build(merged(params, entry, name))})
        except InputError as error:
            raise within_gate(error, "gates[%d].%s" % (index, error.details["option"]), name)
    return built


def within_gate(error, option, name):
    """``error`` about a gate's option, named as the option of that gate."""
    msg = error.msg.replace("for option '%s'" % error.details["option"], "for option '%s' (gate %r)" % (option, name), 1)
    renamed = InputError(option, error.details["value"], "")
    renamed.msg = msg
    renamed.args = (msg,)
    return renamed


def merged(params, entry, name):
    """The module's options with the gate's own set over them."""
    if bool(entry.get("query")) == bool(entry.get("check")):
        raise InputError("query", entry.get("query"), "give the gate exactly one of query and check")
    options = dict(params, query=None, check=None, gates=None)
    for option in GATE_OPTIONS:
        if entry.get(option) is not None:
            options[option] = entry[option]
    # count and duration are one choice: a gate giving either one replaces the module's pair.
    if entry.get("count") is not None or entry.get("duration") is not None:
        options["count"], options["duration"] = entry.get("count"), entry.get("duration")
    return options
