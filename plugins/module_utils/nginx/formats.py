# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The upstream files runbook.ops owns on nginx: rendered and read back here, and only here.

Both kinds start with a header line the runbook reads back, then one ``upstream`` per service:

- the blue-green file (``bluegreen_switch``): the header records the color, the previous color, the
  change id and the time of the last switch; each upstream names the server of the live color. A
  service's color is read from its server address, so a file edited by hand is still understood.
- the weighted file (``traffic_shift``): the header records the weight, the previous weight and the
  change id; each upstream has its stable and canary servers. nginx has no weight 0, so a server
  that gets no traffic is marked ``down``.

Beside them, the servers file (``nginx_servers``) has one ``server`` per service, listening where the
service is reached and proxying to its upstream.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

HEADER = re.compile(r"^# runbook\.ops color=(?P<color>\S+) previous=(?P<previous>\S+) "
                    r"change_id=(?P<change_id>\S+)(?: at=(?P<at>\S+))?")
WEIGHT_HEADER = re.compile(r"^# runbook\.ops weight=(?P<weight>\d+) previous=(?P<previous>\d+|none) "
                           r"change_id=(?P<change_id>\S+)")
UPSTREAM = re.compile(r"^\s*upstream\s+(?P<name>[^\s{]+)\s*\{(?P<body>[^}]*)\}", re.MULTILINE)
SERVER = re.compile(r"\bserver\s+(?P<address>[^\s;]+)")
WEIGHTED_SERVER = re.compile(r"^\s*server\s+\S+:(?P<port>\d+)\s+(?:down|weight=(?P<weight>\d+))\s*;", re.M)
SWITCH_NOTE = "# Written by runbook.ops.bluegreen_switch; edits are overwritten."
SHIFT_NOTE = "# Written by runbook.ops.traffic_shift; edits are overwritten."
FIRST_CHANGE_ID = "first-publication"
SERVERS_NOTE = "# Written by runbook.ops.nginx_servers; edits are overwritten."
SERVER_BLOCK = """server {
    listen %(listen)s;
    location / {
        proxy_pass http://%(upstream)s;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
}
"""


def render(specs, color, previous, change_id, at, note=SWITCH_NOTE):
    """The blue-green file routing every spec's upstream to its server of color."""
    lines = ["# runbook.ops color=%s previous=%s change_id=%s at=%s" % (color, previous or "none", change_id, at)]
    lines += [note] if note else []
    for spec in specs:
        lines += ["upstream %s {" % spec["upstream"], "    server %s;" % spec[color], "}"]
    return "\n".join(lines) + "\n"


def render_first(specs, color, at):
    """The blue-green file of a group never published: every spec on color, no previous color to go back to."""
    return render(specs, color, None, FIRST_CHANGE_ID, at, note=None)


def render_servers(specs):
    """The servers file: for every spec, a server on its listen address proxying to its upstream."""
    return SERVERS_NOTE + "\n" + "".join(SERVER_BLOCK % spec for spec in specs)


def header(text):
    """What the last switch recorded: dict with color, previous, change_id, at (None when absent)."""
    match = HEADER.match(text or "")
    if not match:
        return dict(color=None, previous=None, change_id=None, at=None)
    recorded = match.groupdict()
    return dict((key, None if value in (None, "none") else value) for key, value in recorded.items())


def servers(text):
    """The first server address of every upstream in text, by upstream name."""
    return dict((name, first_server(body)) for name, body in upstream_bodies(text).items())


def upstream_body(text, name):
    """The body of the first upstream called name in text, or "" when it has none."""
    bodies = (match.group("body") for match in UPSTREAM.finditer(text or "") if match.group("name") == name)
    return next(bodies, "")


def upstream_bodies(text):
    """The text between the braces of every upstream in text, by upstream name."""
    return dict((match.group("name"), match.group("body")) for match in UPSTREAM.finditer(text or ""))


def first_server(body):
    match = SERVER.search(body)
    return match.group("address") if match else None


def routing(text):
    """The file without its comments: two files with the same routing differ only in their header."""
    return [line for line in (text or "").splitlines() if line.strip() and not line.lstrip().startswith("#")]


def render_weighted(targets, weight, previous, change_id):
    """The weighted file sending weight % of every target's traffic to its canary server."""
    lines = ["# runbook.ops weight=%d previous=%s change_id=%s" % (weight, "none" if previous is None else previous,
                                                                   change_id),
             SHIFT_NOTE]
    for target in targets:
        lines += ["upstream %s {" % target["name"],
                  "    %s;" % weighted_server(target["stable"], 100 - weight),
                  "    %s;" % weighted_server(target["canary"], weight),
                  "}"]
    return "\n".join(lines) + "\n"


def weighted_server(address, weight):
    return "server %s %s" % (address, "down" if weight == 0 else "weight=%d" % weight)


def weighted_header(text):
    """(weight, previous) recorded in the file, or (None, None) for a file runbook.ops did not write."""
    match = WEIGHT_HEADER.match(text or "")
    if not match:
        return None, None
    previous = match.group("previous")
    return int(match.group("weight")), (None if previous == "none" else int(previous))


def same_weighted_routing(text, targets, weight):
    """Whether text already routes every target at weight (the header and change id aside)."""
    return weighted_routing_lines(text) == weighted_routing_lines(render_weighted(targets, weight, None, "-"))


def weighted_routing_lines(content):
    return [line for line in (content or "").splitlines() if not line.startswith("#")]


def port_weights(body):
    """(port, weight) of every weighted server in an upstream's body; a server marked down has weight 0."""
    return [(match.group("port"), int(match.group("weight") or 0)) for match in WEIGHTED_SERVER.finditer(body)]
