# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.k8s import lease as lease_api
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.switch import lock

NOW = datetime.datetime(2026, 1, 1, 12, 0, 0)


@pytest.mark.parametrize("spec, expired", [
    ({"renewTime": "2026-01-01T11:59:30.000000Z", "leaseDurationSeconds": 60}, False),
    ({"renewTime": "2026-01-01T11:58:00.000000Z", "leaseDurationSeconds": 60}, True),
    ({"acquireTime": "2026-01-01T11:59:59Z", "leaseDurationSeconds": 10}, False),
    ({"holderIdentity": "x"}, True),
])
def test_expired(spec, expired):
    assert lock.expired({"spec": spec}, NOW) is expired


def test_holder_names_identity_and_renewal():
    text = lock.holder_of({"spec": {"holderIdentity": "ops@host/c1", "renewTime": "t", "leaseDurationSeconds": 90}})
    assert text == "ops@host/c1 (renewed t, for 90s)"


def test_lease_name():
    assert lock.lease_name("core") == "runbook-switch-core"


class ApiError(lease_api.DynamicApiError):
    def __init__(self, status):  # pylint: disable=super-init-not-called
        # The client's own error needs a response to build from; only status and reason matter here.
        self.status = status
        self.reason = {403: "Forbidden", 404: "Not Found", 409: "Conflict"}.get(status, "Error")


class Found:
    def __init__(self, obj):
        self.obj = obj

    def to_dict(self):
        return copy.deepcopy(self.obj)


def fresh():
    return lease_api.format_time(lease_api.utc_now())


class FakeLeases:
    """One namespace's Leases with resourceVersion semantics, as the API server keeps them.

    ``before`` maps a verb to steps run just before that call of ours (one per call, in order):
    what another run does between two requests of this one.
    """

    def __init__(self, lease=None, before=None, fail=None):
        self.lease, self.version = None, 0
        self.before = dict((verb, list(steps)) for verb, steps in (before or {}).items())
        self.fail = fail or {}
        self.calls = []
        if lease is not None:
            self.put(lease)

    def put(self, body):
        self.version += 1
        self.lease = copy.deepcopy(body)
        self.lease.setdefault("metadata", {})["resourceVersion"] = str(self.version)
        self.lease["metadata"].setdefault("name", "runbook-switch-g")
        return Found(self.lease)

    def step(self, verb):
        self.calls.append(verb)
        if self.before.get(verb):
            self.before[verb].pop(0)(self)
        if verb in self.fail:
            raise ApiError(self.fail[verb])

    def create(self, body, namespace):
        self.step("create")
        if self.lease is not None:
            raise ApiError(409)
        return self.put(body)

    def get(self, name, namespace):
        self.step("get")
        if self.lease is None:
            raise ApiError(404)
        return Found(self.lease)

    def replace(self, body, namespace):
        self.step("replace")
        if self.lease is None:
            raise ApiError(404)
        if body["metadata"].get("resourceVersion") != self.lease["metadata"]["resourceVersion"]:
            raise ApiError(409)
        return self.put(body)

    def delete(self, name, namespace, body):
        self.step("delete")
        if self.lease is None:
            raise ApiError(404)
        if body["preconditions"]["resourceVersion"] != self.lease["metadata"]["resourceVersion"]:
            raise ApiError(409)
        self.lease = None


def held_by(holder, renewed=None, duration=600):
    spec = {"leaseDurationSeconds": duration, "renewTime": renewed or fresh()}
    if holder is not None:
        spec["holderIdentity"] = holder
    return {"metadata": {"name": "runbook-switch-g"}, "spec": spec}


def release(store):
    store.lease = None


def take_it(holder):
    def step(store):
        store.put(held_by(holder))
    return step


def free_it(store):
    store.put(held_by(""))


def take(leases, timeout=0):
    return lock.LeaseLock(leases, "ns", "g", "me@here/c1", 120).acquire(timeout)


def test_an_absent_lease_is_created():
    leases = FakeLeases()
    taken = take(leases)
    assert leases.calls == ["create"]
    assert leases.lease["spec"]["holderIdentity"] == "me@here/c1"
    assert (taken.taken_over, taken.contended) == (None, False)


def test_a_lease_released_between_create_and_read_is_taken_not_refused():
    leases = FakeLeases(held_by("other@there/c9"), before={"get": [release]})
    taken = take(leases)
    assert leases.calls == ["create", "get", "create"]
    assert leases.lease["spec"]["holderIdentity"] == "me@here/c1"
    assert taken.taken_over is None and taken.contended


@pytest.mark.parametrize("found", [held_by(""), held_by(None)], ids=["released", "holder-less"])
def test_a_lease_without_holder_is_taken_with_its_resource_version(found):
    leases = FakeLeases(found)
    version = leases.lease["metadata"]["resourceVersion"]
    taken = take(leases)
    assert leases.calls == ["create", "get", "replace"]
    assert leases.lease["spec"]["holderIdentity"] == "me@here/c1"
    assert int(leases.lease["metadata"]["resourceVersion"]) == int(version) + 1
    assert taken.taken_over is None


def test_a_live_holder_is_named_and_nothing_is_written():
    leases = FakeLeases(held_by("other@there/c9"))
    with pytest.raises(RunbookError) as failure:
        take(leases)
    assert "held by other@there/c9 (renewed" in failure.value.msg
    assert failure.value.details["lock_holder"] == "other@there/c9"
    assert leases.calls == ["create", "get"]


def test_an_expired_lease_is_taken_over_from_its_holder():
    leases = FakeLeases(held_by("killed@there/c3", renewed="2020-01-01T00:00:00.000000Z", duration=10))
    taken = take(leases)
    assert leases.calls == ["create", "get", "replace"]
    assert taken.taken_over == "killed@there/c3"


def test_a_free_lease_taken_first_by_another_run_names_that_run():
    leases = FakeLeases(held_by(""), before={"replace": [take_it("quick@there/c5")]})
    with pytest.raises(RunbookError) as failure:
        take(leases)
    assert "quick@there/c5" in failure.value.msg and "unknown" not in failure.value.msg
    assert leases.calls == ["create", "get", "replace", "get"]


def test_a_free_lease_deleted_before_the_update_is_created_again():
    leases = FakeLeases(held_by(""), before={"replace": [release]})
    take(leases)
    assert leases.calls == ["create", "get", "replace", "get", "create"]
    assert leases.lease["spec"]["holderIdentity"] == "me@here/c1"


def test_a_lease_released_while_waiting_is_taken():
    leases = FakeLeases(held_by("other@there/c9"), before={"get": [lambda store: None, free_it]})
    taken = take(leases, timeout=5)
    assert leases.calls == ["create", "get", "get", "replace"]
    assert taken.contended


def test_endless_churn_gives_up_with_a_message():
    churn = [release] * (lock.locking.RACE_LIMIT + 5)
    leases = FakeLeases(held_by("other@there/c9"), before={"get": churn, "create": [take_it("other@there/c9")] * 40})
    with pytest.raises(RunbookError) as failure:
        take(leases)
    assert "other runs keep taking and releasing it" in failure.value.msg


def test_an_api_error_other_than_a_conflict_fails_naming_the_lease():
    leases = FakeLeases(fail={"create": 403})
    with pytest.raises(RunbookError) as failure:
        take(leases)
    assert failure.value.msg == "Cannot create Lease runbook-switch-g in namespace ns: HTTP 403 Forbidden"


def test_release_deletes_only_the_lease_it_took():
    leases = FakeLeases()
    taken = take(leases)
    taken.release()
    assert leases.lease is None
    leases.put(held_by("next@there/c7"))
    taken.held = {"metadata": {"resourceVersion": "1"}}
    taken.release()
    assert leases.lease["spec"]["holderIdentity"] == "next@there/c7"
