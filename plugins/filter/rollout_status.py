# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: rollout_status
short_description: Tell whether a Deployment read with kubernetes.core.k8s_info has rolled out
version_added: 0.1.0
description:
  - Judges a Deployment as kubernetes.core's own C(wait) does - the controller has seen its latest change
    and every replica is updated and available, none unavailable - and says what is still missing.
  - Lets a role wait for a rollout in short reads that each print a line (C(until) over
    M(kubernetes.core.k8s_info)) rather than in one silent C(wait) of up to the whole timeout.
options:
  _input:
    description: The C(resources) of a M(kubernetes.core.k8s_info) read of one Deployment; an empty list when it is absent.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Read the Deployment until it has rolled out, a line every 10 s
  kubernetes.core.k8s_info:
    api_version: apps/v1
    kind: Deployment
    namespace: judgify-prod
    name: judgment-service-green
  register: rollout
  until: (rollout.resources | runbook.ops.rollout_status).done
  retries: 60
  delay: 10
"""

RETURN = r"""
_value:
  description: Whether the Deployment has rolled out, and what it shows.
  type: dict
  contains:
    done: {description: Rolled out., type: bool}
    text: {description: 'For example C(2 of 5 updated, 1 of 5 available).', type: str}
"""

from ansible.errors import AnsibleFilterError


def rollout_status(resources):
    if not isinstance(resources, list):
        raise AnsibleFilterError("rollout_status expects the resources list of a k8s_info read, got %r" % (resources,))
    if not resources:
        return {"done": False, "text": "not found"}
    deployment = resources[0]
    if not isinstance(deployment, dict):
        raise AnsibleFilterError("rollout_status expects Deployment objects, got %r" % (deployment,))
    wanted = (deployment.get("spec") or {}).get("replicas", 1)
    status = deployment.get("status") or {}
    seen = status.get("observedGeneration", -1) >= (deployment.get("metadata") or {}).get("generation", 0)
    keys = ("replicas", "updatedReplicas", "availableReplicas", "unavailableReplicas")
    counts = dict((key, status.get(key) or 0) for key in keys)
    done = (seen and counts["replicas"] == wanted and counts["updatedReplicas"] == wanted
            and counts["availableReplicas"] == wanted and not counts["unavailableReplicas"])
    text = "%d of %d updated, %d of %d available" % (counts["updatedReplicas"], wanted, counts["availableReplicas"], wanted)
    if counts["replicas"] > wanted:
        text += ", %d old still running" % (counts["replicas"] - counts["updatedReplicas"])
    if not seen:
        text += ", latest change not yet seen by the controller"
    return {"done": done, "text": text}


class FilterModule(object):
    def filters(self):
        return {"rollout_status": rollout_status}
