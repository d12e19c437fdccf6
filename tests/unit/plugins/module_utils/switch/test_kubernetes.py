# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.switch import kubernetes, plan

GREEN = {"app": "bi", "version": "green"}
PODS = {"bi-green-1": GREEN, "bi-blue-1": {"app": "bi", "version": "blue"}}


def endpoint(pod, ready=True):
    return {"targetRef": {"name": pod}, "conditions": {"ready": ready}}


@pytest.mark.parametrize("endpoints, verified", [
    ([endpoint("bi-green-1")], True),
    ([endpoint("bi-green-1"), endpoint("bi-blue-1")], False),
    ([endpoint("bi-green-1", ready=False)], False),
    ([endpoint("gone-pod")], False),
    ([], False),
])
def test_endpoints_on_target(endpoints, verified):
    assert kubernetes.endpoints_on_target(endpoints, PODS, GREEN) is verified


def deployment(wanted=2, generation=3, **status):
    return {"metadata": {"name": "bi-green", "generation": generation}, "spec": {"replicas": wanted},
            "status": status}


@pytest.mark.parametrize("obj, lag", [
    (deployment(observedGeneration=3, updatedReplicas=2, availableReplicas=2, replicas=2), None),
    (deployment(observedGeneration=2, updatedReplicas=2, availableReplicas=2, replicas=2),
     "the controller has not observed generation 3"),
    (deployment(observedGeneration=3, updatedReplicas=1, availableReplicas=2, replicas=2), "updatedReplicas 1 of 2"),
    (deployment(observedGeneration=3, updatedReplicas=2, availableReplicas=2, replicas=3), "replicas 3 of 2"),
    (deployment(wanted=0, observedGeneration=3), None),
])
def test_rollout_lag(obj, lag):
    assert kubernetes.rollout_lag(obj) == lag


def test_patch_pair_carries_the_precondition_and_puts_annotations_back():
    service = {"metadata": {"name": "bi", "resourceVersion": "41", "annotations": {"runbook.ops/change-id": "old"}},
               "spec": {"selector": {"app": "bi", "version": "blue"}}}
    pair = kubernetes.patch_pair(service, "version", "green", {"runbook.ops/change-id": "new"})
    assert pair["forward"]["metadata"]["resourceVersion"] == "41"
    assert pair["forward"]["spec"]["selector"] == {"version": "green"}
    assert pair["backward"]["spec"]["selector"] == {"version": "blue"}
    assert pair["backward"]["metadata"]["annotations"]["runbook.ops/change-id"] == "old"
    assert pair["backward"]["metadata"]["annotations"]["runbook.ops/previous-color"] is None
    assert pair["after"] == {"app": "bi", "version": "green"}


class ApiFailure(Exception):
    def __init__(self, status):
        super(ApiFailure, self).__init__(status)
        self.status = status


class PatchingCluster:
    """Patches succeed except for the Services named in ``failures`` (name -> HTTP status)."""

    def __init__(self, failures):
        self.failures = failures
        self.selectors = {}

    def patch(self, name, body, dry_run=False):
        if name in self.failures:
            raise ApiFailure(self.failures[name])
        self.selectors[name] = body


@pytest.mark.parametrize("status, reason", [
    (409, "HTTP 409 Conflict: the Service changed since it was read"),
    (403, "HTTP 403 Forbidden: no permission to patch it"),
    (404, "HTTP 404: the Service was deleted"),
])
def test_a_failed_patch_is_named_and_every_other_one_is_restored(status, reason):
    cluster = PatchingCluster({"chat": status})
    pending = dict((name, {"forward": "to green", "backward": "to blue"}) for name in ("bi", "chat", "gateway"))
    ledger = plan.Ledger()

    with pytest.raises(RunbookError) as failure:
        kubernetes.patch_all(cluster, pending, ledger)
    ledger.rollback(lambda name: cluster.patch(name, pending[name]["backward"]))

    assert "chat (%s)" % reason in failure.value.msg
    assert sorted(ledger.switched) == ["bi", "gateway"]
    assert cluster.selectors == {"bi": "to blue", "gateway": "to blue"}
    assert "restored all of them" in ledger.message(failure.value.msg)
