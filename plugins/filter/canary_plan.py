# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What one canary step asks of the traffic backend and of Prometheus, for every canary service.

The filters are documented in the .yml files of their names next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def canary_gates(services, gates, color, options):
    """Every gate for every service, in the form of metrics_gate's gates: named "<service> <gate's name, check
    type or position>", the gate's options among the given keys as they are, {service} and {color} filled in
    its query and its check's selector."""
    return [service_gate(service["name"], gate, position, color, options)
            for service in services for position, gate in enumerate(gates, 1)]


def service_gate(service, gate, position, color, options):
    label = gate["name"] if "name" in gate else gate["check"]["type"] if "check" in gate else "gate %d" % position
    entry = {"name": "%s %s" % (service, label)}
    entry.update((key, gate[key]) for key in options if key in gate)
    if "query" in gate:
        entry["query"] = fill(gate["query"], service, color)
    if "check" in gate:
        entry["check"] = dict(gate["check"], selector=fill(gate["check"].get("selector", ""), service, color))
    return entry


def fill(text, service, color):
    return str(text).replace("{service}", service).replace("{color}", color)


def canary_targets(switch_services, stable, canary):
    """The traffic_shift targets of nginx: each service's stable and canary servers, from nginx_switch_services."""
    return [{"name": service["name"], "stable": service[stable], "canary": service[canary]} for service in switch_services]


class FilterModule(object):
    def filters(self):
        return {"canary_gates": canary_gates, "canary_targets": canary_targets}
