# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The weighted upstream file of a group on nginx: render it, and read back what it says.

The file belongs to runbook.ops: a header line records the weight, the previous weight and the
change id; then one upstream per service with its stable and canary servers. nginx has no weight 0,
so a server that gets no traffic is marked ``down``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

HEADER = re.compile(r"^# runbook\.ops weight=(?P<weight>\d+) previous=(?P<previous>\d+|none) change_id=(?P<change_id>\S+)")


def render(targets, weight, previous, change_id):
    lines = ["# runbook.ops weight=%d previous=%s change_id=%s" % (weight, "none" if previous is None else previous,
                                                                   change_id),
             "# Written by runbook.ops.traffic_shift; edits are overwritten."]
    for target in targets:
        lines += ["upstream %s {" % target["name"],
                  "    %s;" % server(target["stable"], 100 - weight),
                  "    %s;" % server(target["canary"], weight),
                  "}"]
    return "\n".join(lines) + "\n"


def server(address, weight):
    return "server %s %s" % (address, "down" if weight == 0 else "weight=%d" % weight)


def header(text):
    """(weight, previous) recorded in the file, or (None, None) for a file runbook.ops did not write."""
    match = HEADER.match(text or "")
    if not match:
        return None, None
    previous = match.group("previous")
    return int(match.group("weight")), (None if previous == "none" else int(previous))


def same_routing(text, targets, weight):
    """Whether text already routes every target at weight (the header and change id aside)."""
    return routing_lines(text) == routing_lines(render(targets, weight, None, "-"))


def routing_lines(content):
    return [line for line in (content or "").splitlines() if not line.startswith("#")]
