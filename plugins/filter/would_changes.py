# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a check-mode run says it would change, one line per instance or Deployment.

The filters are documented in the .yml files of their names next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def would_deploy_changes(version_results, apply_results, release, color):
    """Lines for the instances of the color the release would go to (their /version answers) and for the
    Deployments it would be applied to (server-side dry runs)."""
    lines = [instance_line(result, release, color) for result in version_results if not result.get("skipped")]
    return lines + [apply_line(result, release) for result in apply_results if not result.get("skipped")]


def instance_line(result, release, color):
    answer = result.get("json") or {}
    instance = "%s-%s" % (result["item"]["name"], color)
    if answer.get("release", "") != release or answer.get("color", "") != color:
        return "%s: would start %s (runs %s)" % (instance, release, answer.get("release", "nothing"))
    return "%s: already runs %s" % (instance, release)


def apply_line(result, release):
    name = ((result.get("result") or {}).get("metadata") or {}).get("name", result["item"]["name"])
    if result.get("changed"):
        return "%s: would apply %s" % (name, release)
    return "%s: already as %s would have it" % (name, release)


def would_scale_up(results):
    """'<deployment> from <replicas> to <replicas>' for each Deployment of the previous color with fewer
    ready replicas than the rollback gives it (the results loop over rollback_scale_up | subelements('colors'))."""
    lines = []
    for result in results:
        service, color = result["item"]
        resources = result.get("resources") or []
        live = resources[0] if resources else {}
        if int((live.get("status") or {}).get("readyReplicas") or 0) < int(service["replicas"]):
            replicas = (live.get("spec") or {}).get("replicas", 0)
            lines.append("%s-%s from %s to %s" % (service["name"], color, replicas, service["replicas"]))
    return lines


class FilterModule(object):
    def filters(self):
        return {"would_deploy_changes": would_deploy_changes, "would_scale_up": would_scale_up}
