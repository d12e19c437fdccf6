# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Weights of the stable and canary backends in router objects: read them, and write a new split.

Pure functions on plain dicts (the objects as the API returns them), so every router backend and the
unit tests share them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

PREVIOUS = "runbook.ops/previous-weight"
CHANGE_ID = "runbook.ops/change-id"


def istio_weight(virtual_service, stable, canary):
    """The canary weight of a VirtualService (the same in each of its weighted HTTP routes)."""
    weights = set()
    for route in istio_routes(virtual_service, stable, canary):
        weights.add(sum(d.get("weight", 0) for d in route if d["destination"].get("subset") == canary))
    if len(weights) > 1:
        raise RunbookError("VirtualService %s splits its routes differently (%s); align them first"
                           % (name_of(virtual_service), sorted(weights)))
    return weights.pop()


def istio_routes(virtual_service, stable, canary):
    """Every HTTP route destination list that has both subsets; refuse a VirtualService with none."""
    routes = [http.get("route") or [] for http in (virtual_service.get("spec") or {}).get("http") or []]
    weighted = [route for route in routes if {stable, canary} <= set(d["destination"].get("subset") for d in route)]
    if not weighted:
        raise RunbookError("VirtualService %s has no HTTP route to both subsets %s and %s"
                           % (name_of(virtual_service), stable, canary))
    return weighted


def istio_with_weight(virtual_service, stable, canary, weight):
    changed = copy.deepcopy(virtual_service)
    for route in istio_routes(changed, stable, canary):
        for destination in route:
            subset = destination["destination"].get("subset")
            if subset in (stable, canary):
                destination["weight"] = weight if subset == canary else 100 - weight
    return changed


def route_weight(route, canary_service):
    backends = (route.get("spec") or {}).get("alternateBackends") or []
    return sum(b.get("weight", 0) for b in backends if b.get("name") == canary_service)


def route_with_weight(route, canary_service, weight):
    """An OpenShift Route sending weight % to canary_service, the rest to spec.to."""
    changed = copy.deepcopy(route)
    spec = changed.setdefault("spec", {})
    if (spec.get("to") or {}).get("name") == canary_service:
        raise RunbookError("Route %s already sends spec.to to %s; the canary must be an alternate backend"
                           % (name_of(route), canary_service))
    spec["to"]["weight"] = 100 - weight
    backends = [b for b in spec.get("alternateBackends") or [] if b.get("name") != canary_service]
    backends.append({"kind": "Service", "name": canary_service, "weight": weight})
    spec["alternateBackends"] = backends
    return changed


def annotated(obj, previous, change_id):
    changed = copy.deepcopy(obj)
    annotations = changed.setdefault("metadata", {}).setdefault("annotations", {}) or {}
    annotations.update({PREVIOUS: str(previous), CHANGE_ID: change_id})
    changed["metadata"]["annotations"] = annotations
    return changed


def previous_weight(obj):
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(PREVIOUS)
    return int(value) if value is not None and value.isdigit() else None


def name_of(obj):
    return (obj.get("metadata") or {}).get("name")
