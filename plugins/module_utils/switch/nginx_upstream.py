# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The blue-green upstream file of a group on nginx: render it, and read back what it routes.

The file belongs to runbook.ops: a header line records the color, the previous color, the change
id and the time of the last switch; then one ``upstream`` per service naming the server of the
live color. A service's color is read from its server address, so a file edited by hand is
still understood.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.runbook.ops.plugins.module_utils.colors import COLORS
from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError

HEADER = re.compile(r"^# runbook\.ops color=(?P<color>\S+) previous=(?P<previous>\S+) "
                    r"change_id=(?P<change_id>\S+)(?: at=(?P<at>\S+))?")
UPSTREAM = re.compile(r"^\s*upstream\s+(?P<name>[^\s{]+)\s*\{(?P<body>[^}]*)\}", re.MULTILINE)
SERVER = re.compile(r"\bserver\s+(?P<address>[^\s;]+)")
# Characters that would end a directive or a block: refused so an option cannot inject configuration.
UNSAFE = re.compile(r"[\s;{}#'\"\\$]")


def service_specs(services):
    """The ``services`` option as dicts with name, upstream, blue, green and verify_url, or InputError."""
    if not services:
        raise InputError("services", services, "list at least one service for the nginx backend")
    specs = [service_spec(index, entry) for index, entry in enumerate(services)]
    upstreams = [spec["upstream"] for spec in specs]
    duplicates = sorted(set(name for name in upstreams if upstreams.count(name) > 1))
    if duplicates:
        raise InputError("services", duplicates, "give each service its own upstream name")
    return specs


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
        if UNSAFE.search(spec[key]):
            raise InputError("%s.%s" % (where, key), spec[key], "use no spaces, quotes, ';', '{', '}', '#' or '$'")
    if spec["blue"] == spec["green"]:
        raise InputError(where + ".green", spec["green"], "blue and green must be different host:port addresses")
    if not spec["verify_url"].startswith(("http://", "https://")):
        raise InputError(where + ".verify_url", spec["verify_url"], "use an http:// or https:// URL")
    return spec


def render(specs, color, previous, change_id, at):
    lines = ["# runbook.ops color=%s previous=%s change_id=%s at=%s" % (color, previous or "none", change_id, at),
             "# Written by runbook.ops.bluegreen_switch; edits are overwritten."]
    for spec in specs:
        lines += ["upstream %s {" % spec["upstream"], "    server %s;" % spec[color], "}"]
    return "\n".join(lines) + "\n"


def header(text):
    """What the last switch recorded: dict with color, previous, change_id, at (None when absent)."""
    match = HEADER.match(text or "")
    if not match:
        return dict(color=None, previous=None, change_id=None, at=None)
    recorded = match.groupdict()
    return dict((key, None if value in (None, "none") else value) for key, value in recorded.items())


def servers(text):
    """The first server address of every upstream in text, by upstream name."""
    return dict((match.group("name"), first_server(match.group("body"))) for match in UPSTREAM.finditer(text or ""))


def first_server(body):
    match = SERVER.search(body)
    return match.group("address") if match else None


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


def routing(text):
    """The file without its comments: two files with the same routing differ only in their header."""
    return [line for line in (text or "").splitlines() if line.strip() and not line.lstrip().startswith("#")]


def main_config(argv):
    """(position, absolute path) of the ``-c`` main configuration in a test command, or None."""
    prefix, position = None, None
    for index, arg in enumerate(argv[:-1]):
        if arg == "-p":
            prefix = argv[index + 1]
        elif arg == "-c":
            position = index + 1
    if position is None:
        return None
    path = argv[position]
    if not os.path.isabs(path):
        if not prefix:
            return None
        path = os.path.join(prefix, path)
    return position, os.path.abspath(path)


def relocate(text, old_dir, new_dir):
    """text with every path under old_dir moved to new_dir (whole path components only)."""
    return dir_pattern(old_dir).sub(lambda match: new_dir, text)


def mentions(text, directory):
    return bool(dir_pattern(directory).search(text))


def dir_pattern(directory):
    return re.compile(re.escape(directory.rstrip("/")) + r"(?=[/;\s\"']|$)", re.MULTILINE)
