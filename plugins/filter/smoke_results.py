# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verify role's input check, the steps of its test commands, and its results as the run report records them.

The filters are documented in the .yml files of their names next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

PLACEHOLDERS = ("service", "port", "namespace", "color")
TEMPLATE_KEYS = ("idle", "live")


def url_template_errors(templates):
    """What is wrong in runbook_url_templates: unknown placeholders and keys other than idle and live."""
    errors = []
    for key, template in templates.items():
        errors.extend("%s: {%s}" % (key, name) for name in re.findall(r"\{([^}]*)\}", str(template))
                      if name not in PLACEHOLDERS)
        if key not in TEMPLATE_KEYS:
            errors.append("the key %s (use idle and live)" % key)
    return errors


def smoke_summaries(results, target):
    """One report entry per smoke_check result of a loop over the services."""
    return [summary(result, target) for result in results]


def summary(result, target):
    overall = result.get("overall") or {}
    return {
        "target": target, "service": result["item"]["name"], "success": result.get("success", False),
        "requests": overall.get("count"), "error_rate": overall.get("error_rate"),
        "p95_ms": (overall.get("latency_ms") or {}).get("p95"),
        "breaches": unique_ignoring_case([breach.get("gate", "") for breach in result.get("breaches", [])]),
        "msg": result.get("msg", ""),
    }


def unique_ignoring_case(values):
    """The first of each value, as Ansible's unique filter keeps them (strings compared ignoring case)."""
    seen, kept = set(), []
    for value in values:
        key = value.lower() if isinstance(value, str) else value
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


# Characters of a command's output kept in the run report; the task result keeps more.
REPORT_OUTPUT_CHARS = 2000


def verify_command_steps(services):
    """One step per test command of each service, naming it without its secrets.

    The loop item is printed and kept in the registered results, so it carries only where the
    command is (service, index); the task reads the command itself, secrets included, from there.
    """
    steps = []
    for service in services:
        for index, command in enumerate(service.get("verify_commands") or []):
            steps.append({"service": service["name"], "index": index, "name": command_name(command, index)})
    return steps


def command_name(command, index):
    if command.get("name"):
        return command["name"]
    words = command.get("argv") or str(command.get("cmd") or "").split()
    return words[0].rsplit("/", 1)[-1] if words else "command %d" % (index + 1)


def verify_command_summaries(results, target):
    """One report entry per verify_command result of a loop over verify_command_steps."""
    return [command_summary(result, target) for result in results]


def command_summary(result, target):
    step = result["item"]
    return {
        "target": target, "service": step["service"], "name": step["name"],
        "success": result.get("success", False), "rc": result.get("rc"),
        "timed_out": result.get("timed_out", False), "duration_ms": result.get("duration_ms"),
        "msg": result.get("msg", ""),
        "stdout": tail(result.get("stdout") or ""), "stderr": tail(result.get("stderr") or ""),
    }


def tail(text):
    return text if len(text) <= REPORT_OUTPUT_CHARS else "..." + text[-REPORT_OUTPUT_CHARS:]


class FilterModule(object):
    def filters(self):
        return {"url_template_errors": url_template_errors, "smoke_summaries": smoke_summaries,
                "verify_command_steps": verify_command_steps,
                "verify_command_summaries": verify_command_summaries}
