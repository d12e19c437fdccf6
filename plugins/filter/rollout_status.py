# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Documented in rollout_status.yml and rollout_pending.yml: the file holds two filters.

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


def rollout_pending(results):
    """'<name> (<what it shows>)' for each Deployment of a looped read that has not rolled out or was not read;
    documented in rollout_pending.yml."""
    pending = []
    for result in results:
        if "resources" not in result:
            pending.append("%s (%s)" % (result["item"], result.get("msg", "not read")))
            continue
        status = rollout_status(result["resources"])
        if not status["done"]:
            pending.append("%s (%s)" % (result["item"], status["text"]))
    return pending


class FilterModule(object):
    def filters(self):
        return {"rollout_status": rollout_status, "rollout_pending": rollout_pending}
