# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shift a group's traffic to a weight: read and validate all, change all or none, read back."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils import transaction
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.traffic import weights


class ObjectRouter:
    """A router whose objects are changed one by one, all or none, then read back (run below).

    Every router offers shift(targets, params, timer), returning the result with its diff; the
    subclasses read, reweight, replace and restore single objects.
    """

    def shift(self, targets, params, timer):
        result = run(self, targets, params, timer)
        after = dict((name, result["weight"]) for name in result["before"])
        return dict(result, diff={"before": result["before"], "after": after})


def run(router, targets, params, timer):
    with timer.phase("validate"):
        objects = dict((t["name"], router.read(t["name"])) for t in targets)
        by_name = dict((t["name"], t) for t in targets)
        before = dict((name, router.weight(obj, by_name[name])) for name, obj in objects.items())
        router.validate(objects)
        weight = target_weight(params, objects)
        changes = dict((name, weights.annotated(router.with_weight(obj, by_name[name], weight), before[name],
                                                params["change_id"]))
                       for name, obj in objects.items() if before[name] != weight)
    result = {"weight": weight, "before": before, "shifted": sorted(changes), "change_id": params["change_id"],
              "unchanged": sorted(set(objects) - set(changes)), "restored": []}
    if not changes:
        return dict(result, changed=False)
    names = sorted(changes)
    with timer.phase("shift"):
        transaction.apply_all(names, lambda name: router.replace(changes[name]), lambda name: router.restore(objects[name]))
    if not router.dry_run:
        with timer.phase("verify"):
            verify(router, by_name, names, weight, objects)
    return dict(result, changed=True)


def target_weight(params, objects):
    if not params["previous"]:
        return params["weight"]
    previous = set(weights.previous_weight(obj) for obj in objects.values())
    if None in previous or len(previous) != 1:
        raise RunbookError("Cannot shift back: the objects record no common previous weight (%s)" % ", ".join(
            "%s=%s" % (name, weights.previous_weight(obj)) for name, obj in sorted(objects.items())))
    return previous.pop()


def verify(router, by_name, names, weight, objects):
    """Read every changed object back; if one does not carry the weight, undo them all."""
    for name in names:
        seen = router.weight(router.read(name), by_name[name])
        if seen != weight:
            raise transaction.undo(names, lambda n: router.restore(objects[n]), name,
                                   RunbookError("read back weight %s, expected %s" % (seen, weight)))
