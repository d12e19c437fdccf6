# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The services of a blue-green group on nginx: the ``services`` option checked, and colors told apart.

The upstream file itself is rendered and read by module_utils/nginx/formats.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.runbook.ops.plugins.module_utils.colors import COLORS
from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError

# Characters that would end a directive or a block: refused so an option cannot inject configuration.
UNSAFE = re.compile(r"[\s;{}#'\"\\$]")


def service_specs(services):
    """The ``services`` option as dicts with name, upstream, blue, green and verify_url, or InputError."""
    if not services:
        raise InputError("services", services, "list at least one service for the nginx backend")
    specs = [service_spec(index, entry) for index, entry in enumerate(services)]
    duplicates = repeated([spec["upstream"] for spec in specs])
    if duplicates:
        raise InputError("services", duplicates, "give each service its own upstream name")
    return specs


def repeated(values):
    """The values that occur more than once, sorted."""
    return sorted(set(value for value in values if values.count(value) > 1))


def refuse_unsafe(where, value):
    """InputError unless value can stand in a directive without ending it."""
    if UNSAFE.search(value):
        raise InputError(where, value, "use no spaces, quotes, ';', '{', '}', '#' or '$'")


def service_spec(index, entry):
    where = "services[%d]" % index
    if not isinstance(entry, dict):
        raise InputError(where, entry, "the nginx backend needs a dict with name, blue, green and verify_url")
    for key in ("name", "blue", "green", "verify_url"):
        if not entry.get(key) or not isinstance(entry[key], str):
            raise InputError("%s.%s" % (where, key), entry.get(key), "set %s (a non-empty string)" % key)
    spec = dict(name=entry["name"], upstream=entry.get("upstream") or entry["name"], blue=entry["blue"],
                green=entry["green"], verify_url=entry["verify_url"])
    for key in ("upstream", "blue", "green"):
        refuse_unsafe("%s.%s" % (where, key), spec[key])
    if spec["blue"] == spec["green"]:
        raise InputError(where + ".green", spec["green"], "blue and green must be different host:port addresses")
    if not spec["verify_url"].startswith(("http://", "https://")):
        raise InputError(where + ".verify_url", spec["verify_url"], "use an http:// or https:// URL")
    return spec


def color_of(spec, address):
    """Which color an upstream's server address is for this service, or None (absent or foreign)."""
    for color in COLORS:
        if address == spec[color]:
            return color
    return None


def group_color(colors):
    """The group's color: the most common known color, the first seen on a tie; None when none known."""
    known = [color for color in colors if color]
    if not known:
        return None
    return max(known, key=lambda color: (known.count(color), -known.index(color)))
