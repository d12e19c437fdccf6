# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS ALB listeners forwarding to two weighted target groups, through boto3.

A listener is presented to the shift as a routing object: its default actions are the spec and its
tags the annotations, so the shift logic is the same as for Kubernetes objects. ALB weights are
relative (0-999); this router writes them as percentages.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.runbook.ops.plugins.module_utils.aws import client as aws_client, elbv2
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.traffic import shift, weights

MANAGED_TAGS = (weights.PREVIOUS, weights.CHANGE_ID)


class AlbRouter(shift.ObjectRouter):
    def __init__(self, params, dry_run):
        self.dry_run = dry_run
        self.client = aws_client.connect("elbv2", params)

    def read(self, name):
        listener = elbv2.listener(self.client, name)
        return {"metadata": {"name": name, "annotations": elbv2.tags(self.client, name)},
                "spec": {"actions": listener["DefaultActions"]}}

    def weight(self, obj, target):
        groups = target_groups(obj, target)
        total = sum(group.get("Weight", 1) for group in groups.values())
        canary = groups[target["canary_target_group"]].get("Weight", 1)
        return int(round(100.0 * canary / total)) if total else 0

    def with_weight(self, obj, target, weight):
        changed = copy.deepcopy(obj)
        for arn, group in target_groups(changed, target).items():
            group["Weight"] = weight if arn == target["canary_target_group"] else 100 - weight
        return changed

    def validate(self, objects):
        return None

    def replace(self, obj):
        if self.dry_run:
            return obj
        name = weights.name_of(obj)
        elbv2.modify_listener(self.client, name, writable(obj["spec"]["actions"]))
        tags = obj["metadata"].get("annotations") or {}
        present = dict((key, tags[key]) for key in MANAGED_TAGS if key in tags)
        absent = [key for key in MANAGED_TAGS if key not in tags]
        if present:
            elbv2.add_tags(self.client, name, present)
        if absent:
            elbv2.remove_tags(self.client, name, absent)
        return obj

    def restore(self, before):
        self.replace(before)


def target_groups(obj, target):
    """The listener's forward action's target groups by ARN; refuse a listener that is not a two-way split."""
    forwards = [a for a in obj["spec"]["actions"] if a.get("Type") == "forward"]
    groups = dict((g["TargetGroupArn"], g) for a in forwards
                  for g in (a.get("ForwardConfig") or {}).get("TargetGroups") or [])
    wanted = {target["stable_target_group"], target["canary_target_group"]}
    if not wanted <= set(groups):
        raise RunbookError("Listener %s does not forward to both %s" % (weights.name_of(obj), " and ".join(sorted(wanted))))
    return groups


def writable(actions):
    """Default actions as modify_listener takes them: a weighted forward cannot also name one TargetGroupArn."""
    result = copy.deepcopy(actions)
    for action in result:
        if action.get("ForwardConfig", {}).get("TargetGroups") and len(action["ForwardConfig"]["TargetGroups"]) > 1:
            action.pop("TargetGroupArn", None)
    return result
