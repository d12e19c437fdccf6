# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.k8s import errors as k8s_errors
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.switch import kubernetes, plan
from ansible_collections.runbook.ops.plugins.module_utils.transaction import Transaction

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


RBAC = ('services "chat" is forbidden: User "runbook-restricted" cannot patch resource "services" in API group "" '
        'in the namespace "shop"')
DENIED = 'admission webhook "deny.example.com" denied the request: chat is frozen'
CONFLICT = 'Operation cannot be fulfilled on services "chat": the object has been modified'


def api_failure(code, reason, message):
    """What Cluster.patch raises: the client's error, described."""
    exc = k8s_errors.ApiException(status=code, reason=reason)
    exc.body = json.dumps({"kind": "Status", "status": "Failure", "code": code, "reason": reason, "message": message})
    return k8s_errors.ApiError(None, exc)


REFUSED = k8s_errors.ApiError(None, k8s_errors.ProtocolError("Connection aborted."), "https://127.0.0.1:6443")


class PatchingCluster:
    """Patches succeed except for the Services named in ``failures`` (name -> error); lists fail with ``listing``."""

    def __init__(self, failures, listing=None):
        self.failures = failures
        self.listing = listing
        self.selectors = {}

    def patch(self, name, body, dry_run=False):
        if name in self.failures:
            raise self.failures[name]
        self.selectors[name] = body

    def list(self, kind):
        raise self.listing


PENDING = dict((name, {"forward": "to green", "backward": "to blue"}) for name in ("bi", "chat", "gateway"))


@pytest.mark.parametrize("failure, described", [
    (api_failure(409, "Conflict", CONFLICT), "HTTP 409 Conflict: " + CONFLICT),
    (api_failure(403, "Forbidden", RBAC), "HTTP 403 Forbidden (forbidden by RBAC): " + RBAC),
    (api_failure(403, "Frozen", DENIED), 'HTTP 403 Frozen (denied by admission webhook "deny.example.com"): ' + DENIED),
    (api_failure(400, "BadRequest", DENIED),
     'HTTP 400 BadRequest (denied by admission webhook "deny.example.com"): ' + DENIED),
    (api_failure(404, "NotFound", 'services "chat" not found'), 'HTTP 404 NotFound: services "chat" not found'),
    (REFUSED, "the connection to the Kubernetes API server at https://127.0.0.1:6443 broke: Connection aborted."),
])
def test_a_failed_patch_is_named_and_every_other_one_is_restored(failure, described):
    cluster = PatchingCluster({"chat": failure})
    ledger = Transaction()

    with pytest.raises(RunbookError) as caught:
        kubernetes.patch_all(cluster, PENDING, ledger)
    ledger.rollback(lambda name: cluster.patch(name, PENDING[name]["backward"]))

    assert caught.value.msg == "Patching chat (%s) failed" % described
    assert "no permission" not in caught.value.msg
    assert sorted(ledger.changed) == ["bi", "gateway"]
    assert cluster.selectors == {"bi": "to blue", "gateway": "to blue"}
    assert "restored all of them" in plan.rollback_message(ledger, caught.value.msg)


def test_a_failed_dry_run_says_nothing_was_changed():
    cluster = PatchingCluster({"chat": api_failure(403, "Frozen", DENIED)})
    with pytest.raises(RunbookError) as caught:
        kubernetes.patch_all(cluster, PENDING, Transaction(), dry_run=True)
    assert caught.value.msg.startswith("The server-side dry run of patching chat (HTTP 403 Frozen (denied by ")
    assert caught.value.msg.endswith("; nothing was changed")


class Module:
    params = {"verify_timeout": 5}


class Timer:
    @contextlib.contextmanager
    def phase(self, name):
        yield


def switching(cluster):
    return kubernetes.SwitchState(specs=[], services={}, current={}, plan={"switch": sorted(PENDING)}, label="version",
                                  targets={}, cluster=cluster, workloads={}, pod_labels={})


@pytest.mark.parametrize("listing, failure", [
    (REFUSED, REFUSED.msg),
    (KeyError("items"), "The switch failed: KeyError: 'items'"),
])
def test_any_failure_after_the_patches_puts_every_service_back(listing, failure):
    cluster = PatchingCluster({}, listing=listing)

    with pytest.raises(RunbookError) as caught:
        kubernetes.transaction(Module(), switching(cluster), PENDING, Timer())

    assert caught.value.msg.startswith(failure + ". Switched ")
    assert caught.value.msg.endswith("; restored all of them, so every Service is on its original color.")
    assert sorted(caught.value.details["restored"]) == sorted(PENDING)
    assert caught.value.details["changed"] is False
    assert cluster.selectors == dict((name, "to blue") for name in PENDING)


class FailingRestore(PatchingCluster):
    """The API server goes away after the forward patches: verification and restores both fail."""

    def patch(self, name, body, dry_run=False):
        if body == "to blue" and name == "chat":
            raise REFUSED
        self.selectors[name] = body


def test_services_that_cannot_be_put_back_are_named_with_the_reason():
    cluster = FailingRestore({}, listing=REFUSED)
    with pytest.raises(RunbookError) as caught:
        kubernetes.transaction(Module(), switching(cluster), PENDING, Timer())
    assert caught.value.details["changed"] is True
    assert caught.value.details["not_restored"] == ["chat (%s)" % REFUSED.msg]
    assert "could NOT restore chat (the connection to the Kubernetes API server at https://127.0.0.1:6443" in (
        caught.value.msg)


class ListingCluster:
    """Lists what it was given per kind."""

    def __init__(self, **items):
        self.items = items

    def list(self, kind):
        return self.items[kind]


def test_a_pod_started_since_validation_is_judged_by_its_labels():
    endpoint = {"targetRef": {"name": "chat-green-2"}, "conditions": {"ready": True}}
    cluster = ListingCluster(
        slices=[{"metadata": {"labels": {"kubernetes.io/service-name": "chat"}}, "endpoints": [endpoint]}],
        pods=[{"metadata": {"name": "chat-green-2", "labels": {"app": "chat", "version": "green"}}}])
    state = kubernetes.SwitchState(specs=[], services={}, current={}, plan={"switch": ["chat"]}, label="version",
                                   targets={"chat": {"app": "chat", "version": "green"}}, cluster=cluster,
                                   workloads={}, pod_labels={})

    assert kubernetes.unverified(cluster, ["chat"], state) == []
    assert state.pod_labels == {"chat-green-2": {"app": "chat", "version": "green"}}
