# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure bookkeeping of a blue-green switch: input, what to change, the previous color, the rollback list."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import re

from ansible_collections.runbook.ops.plugins.module_utils.colors import COLORS
from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError

# A qualified label key: optional DNS-subdomain prefix and a name of at most 63 characters.
LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# "runbook-switch-" plus the group must stay a valid object name.
MAX_GROUP = 253 - len("runbook-switch-")


def other(color):
    return "green" if color == "blue" else "blue"


def service_specs(services):
    """Each entry of `services` as {name, preview}; a name string is the short form."""
    if not services:
        raise InputError("services", services, "name at least one Service")
    specs = []
    for entry in services:
        spec = {"name": entry} if isinstance(entry, str) else dict(entry) if isinstance(entry, dict) else None
        if not spec or not isinstance(spec.get("name"), str) or not DNS_SUBDOMAIN.match(spec["name"]):
            raise InputError("services", entry, "each entry is a Service name or a dict with a valid 'name'")
        spec.setdefault("preview", spec["name"] + "-preview")
        specs.append(spec)
    names = [spec["name"] for spec in specs]
    duplicates = sorted(set(name for name in names if names.count(name) > 1))
    if duplicates:
        raise InputError("services", duplicates, "list each Service once")
    return specs


def check_label_key(key):
    prefix, sep, name = key.rpartition("/") if key else ("", "", "")
    if not name or not LABEL_NAME.match(name) or (sep and not DNS_SUBDOMAIN.match(prefix)):
        raise InputError("color_label", key, "give a label key such as 'version' or 'example.com/color'")
    return key


def group_name(group, names):
    """The lock's group: the given one, or a short hash of the sorted Service names."""
    if group is None:
        return hashlib.sha256(",".join(sorted(names)).encode("utf-8")).hexdigest()[:12]
    if not DNS_LABEL.match(group) or len(group) > MAX_GROUP:
        raise InputError("group", group, "use lower-case letters, digits and '-' (it names a Lease)")
    return group


def resolve_color(requested, recorded):
    """The target color; `previous` is the color the last switch recorded on every Service.

    `recorded` maps Service name to its recorded previous color (None when it has none).
    """
    if requested in COLORS:
        return requested
    colors = set(recorded.values())
    if colors == {None} or not colors:
        raise RunbookError("Cannot switch to the previous color: no Service of the group records one "
                           "(annotation runbook.ops/previous-color); give color blue or green")
    if len(colors) > 1 or None in colors:
        raise RunbookError("Cannot switch to the previous color: the Services record different ones (%s); "
                           "give color blue or green" % describe_colors(recorded))
    color = colors.pop()
    if color not in COLORS:
        raise RunbookError("Cannot switch to the previous color: the recorded one is %r; give color blue or green"
                           % color)
    return color


def plan_switch(current, target):
    """Which Services move, given {name: color now} (in the group's order) and the target color."""
    moving = [name for name, color in current.items() if color != target]
    staying = [name for name, color in current.items() if color == target]
    seen = [color for color in current.values() if color]
    return dict(
        color=target,
        switch=moving,
        unchanged=staying,
        mixed_before=len(set(seen)) > 1,
        previous_color=majority(seen),
    )


def majority(colors):
    """The most frequent color; on a tie, the first seen."""
    if not colors:
        return None
    return max(dict.fromkeys(colors), key=colors.count)


def describe_colors(colors):
    return ", ".join("%s=%s" % (name, color or "none") for name, color in colors.items())


def rollback_message(ledger, failure):
    """``failure``, then what the switch had changed and what its rollback put back."""
    if not ledger.changed:
        outcome = "Nothing had been switched; every Service is on its original color"
    elif not ledger.not_restored:
        outcome = "Switched %s; restored all of them, so every Service is on its original color" % ", ".join(
            ledger.changed)
    else:
        outcome = "Switched %s; restored %s; could NOT restore %s" % (
            ", ".join(ledger.changed), ", ".join(ledger.restored) or "none", ", ".join(ledger.not_restored))
    return "%s. %s." % (failure, outcome)


def rollback_details(ledger):
    return dict(switched=list(ledger.changed), restored=list(ledger.restored), not_restored=list(ledger.not_restored))
