# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a rollback on Kubernetes brings back: the previous colors to scale up, the previous pod template.

The filters are documented in the .yml files of their names next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

PREVIOUS_COLORS = {"blue": ["green"], "green": ["blue"]}
REVISION = "deployment.kubernetes.io/revision"


def rollback_scale_up(service_results, canary_services, canary_live_colors, label):
    """[{name, replicas, colors}]: a blue-green service goes back to the other color of its Service's selector;
    a canary service stopped mid-way may go back to either color."""
    plan = []
    for result in service_results:
        service = result["item"]
        live = selector_color(result, label)
        if live not in PREVIOUS_COLORS:
            raise AnsibleFilterError("rollback_scale_up: the Service %s selects color %r, not blue or green"
                                     % (service["name"], live))
        plan.append(scale_entry(service, PREVIOUS_COLORS[live]))
    for service in canary_services:
        plan.append(scale_entry(service, PREVIOUS_COLORS.get((canary_live_colors or {}).get(service["name"]), ["blue", "green"])))
    return plan


def selector_color(result, label):
    resources = result.get("resources") or []
    if not resources:
        raise AnsibleFilterError("rollback_scale_up: the Service %s was not found" % result["item"]["name"])
    return ((resources[0].get("spec") or {}).get("selector") or {}).get(label)


def scale_entry(service, colors):
    return {"name": service["name"], "replicas": service.get("replicas", 1), "colors": colors}


def previous_pod_template(replicasets, deployment):
    """The pod template of the Deployment's highest revision below its current one, among the ReplicaSets
    it owns, without the pod-template-hash label; {} when it has none."""
    current = revision(deployment)
    uid = deployment["metadata"]["uid"]
    owned = [replicaset for replicaset in replicasets
             if any(owner.get("uid") == uid for owner in replicaset["metadata"].get("ownerReferences") or [])
             and revision(replicaset) < current]
    if not owned:
        return {}
    # The last of the highest revision, as a stable sort then last would pick it.
    template = sorted(owned, key=revision)[-1]["spec"]["template"]
    metadata = dict(template["metadata"])
    metadata["labels"] = dict((key, value) for key, value in (metadata.get("labels") or {}).items()
                              if key != "pod-template-hash")
    return dict(template, metadata=metadata)


def revision(resource):
    return int((resource["metadata"].get("annotations") or {}).get(REVISION, 0))


class FilterModule(object):
    def filters(self):
        return {"rollback_scale_up": rollback_scale_up, "previous_pod_template": previous_pod_template}
