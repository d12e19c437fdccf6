# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verify role's input check and its smoke_check results as the run report records them.

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


class FilterModule(object):
    def filters(self):
        return {"url_template_errors": url_template_errors, "smoke_summaries": smoke_summaries}
