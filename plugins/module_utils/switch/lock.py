# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A coordination.k8s.io Lease per service group, so two switches of one group never interleave."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

try:
    from kubernetes.dynamic.exceptions import DynamicApiError
except ImportError:  # the module reports the missing library before a lock is taken
    class DynamicApiError(Exception):
        status = None

POLL_SECONDS = 0.2
MICRO_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def lease_name(group):
    return "runbook-switch-%s" % group


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def parse_time(value):
    if not value:
        return None
    value = value.rstrip("Z")
    return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f" if "." in value else "%Y-%m-%dT%H:%M:%S")


def expired(lease, now):
    spec = lease.get("spec") or {}
    renewed = parse_time(spec.get("renewTime") or spec.get("acquireTime"))
    duration = spec.get("leaseDurationSeconds") or 0
    return renewed is None or renewed + datetime.timedelta(seconds=duration) < now


def holder_of(lease):
    spec = lease.get("spec") or {}
    holder = spec.get("holderIdentity") or "unknown"
    renewed = spec.get("renewTime") or spec.get("acquireTime") or "never"
    return "%s (renewed %s, for %ss)" % (holder, renewed, spec.get("leaseDurationSeconds") or 0)


class LeaseLock:
    """Take with acquire(), give back with release(); an expired Lease of a killed run is taken over."""

    def __init__(self, leases, namespace, group, holder, duration):
        """leases: the dynamic client's coordination.k8s.io/v1 Lease resource."""
        self.leases = leases
        self.namespace = namespace
        self.name = lease_name(group)
        self.holder = holder
        self.duration = int(duration)
        self.held = None
        self.taken_over = None
        self.contended = False  # another run's Lease was found: the group may have changed meanwhile

    def body(self, current=None):
        now = utc_now().strftime(MICRO_TIME)
        lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                 "metadata": {"name": self.name, "labels": {"app.kubernetes.io/managed-by": "runbook.ops"}},
                 "spec": {"holderIdentity": self.holder, "leaseDurationSeconds": self.duration,
                          "acquireTime": now, "renewTime": now}}
        if current:
            lease["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        return lease

    def acquire(self, timeout):
        deadline = time.monotonic() + max(timeout or 0, 0)
        while True:
            current = self.try_take()
            if current is None:
                return self
            if time.monotonic() >= deadline:
                raise RunbookError("Another switch of this group holds the lock: Lease %s is held by %s; nothing "
                                   "was changed. Wait for it, raise lock_timeout, or delete the Lease if that run "
                                   "is gone" % (self.name, holder_of(current)), lock_holder=(
                                       current.get("spec") or {}).get("holderIdentity"))
            time.sleep(POLL_SECONDS)

    def try_take(self):
        """None when taken; otherwise the Lease of the live holder."""
        try:
            self.held = self.leases.create(self.body(), namespace=self.namespace).to_dict()
            return None
        except DynamicApiError as exc:
            if exc.status != 409:
                raise RunbookError("Cannot create Lease %s: HTTP %s %s" % (self.name, exc.status, exc.reason))
        self.contended = True
        current = self.read()
        if current is None or not expired(current, utc_now()):
            return current or {"spec": {}}
        try:
            self.held = self.leases.replace(self.body(current), namespace=self.namespace).to_dict()
        except DynamicApiError as exc:
            if exc.status == 409:  # someone else took it over first
                return self.read() or {"spec": {}}
            raise RunbookError("Cannot take over Lease %s: HTTP %s %s" % (self.name, exc.status, exc.reason))
        self.taken_over = (current.get("spec") or {}).get("holderIdentity")
        return None

    def read(self):
        try:
            return self.leases.get(name=self.name, namespace=self.namespace).to_dict()
        except DynamicApiError as exc:
            if exc.status == 404:
                return None
            raise RunbookError("Cannot read Lease %s: HTTP %s %s" % (self.name, exc.status, exc.reason))

    def release(self):
        """Delete our Lease; the precondition keeps a Lease someone took over from being deleted."""
        if not self.held:
            return
        preconditions = {"kind": "DeleteOptions", "apiVersion": "v1",
                         "preconditions": {"resourceVersion": self.held["metadata"]["resourceVersion"]}}
        try:
            self.leases.delete(name=self.name, namespace=self.namespace, body=preconditions)
        except DynamicApiError:
            pass  # already gone or taken over after expiry: nothing of ours left to release
        self.held = None
