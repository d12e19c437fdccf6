# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils.timing import PhaseTimer
from ansible_collections.runbook.ops.plugins.module_utils.traffic import shift


class DictRouter(shift.ObjectRouter):
    """Objects are {"metadata": {"name": ...}, "weight": n} held in memory."""

    dry_run = False

    def __init__(self, weights):
        self.objects = dict((name, {"metadata": {"name": name}, "weight": weight}) for name, weight in weights.items())

    def read(self, name):
        return self.objects[name]

    def weight(self, obj, target):
        return obj["weight"]

    def with_weight(self, obj, target, weight):
        return dict(obj, weight=weight)

    def validate(self, objects):
        return None

    def replace(self, obj):
        self.objects[obj["metadata"]["name"]] = obj

    def restore(self, before):
        self.replace(before)


def test_an_object_router_shifts_each_object_and_reports_the_weights_as_its_diff():
    router = DictRouter({"a": 0, "b": 10})
    params = {"weight": 10, "previous": False, "change_id": "c1"}
    result = router.shift([{"name": "a"}, {"name": "b"}], params, PhaseTimer())
    assert result["shifted"] == ["a"] and result["unchanged"] == ["b"]
    assert result["diff"] == {"before": {"a": 0, "b": 10}, "after": {"a": 10, "b": 10}}
    assert router.objects["a"]["weight"] == 10
