# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A coordination.k8s.io Lease per service group, so two switches of one group never interleave."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils import locking
from ansible_collections.runbook.ops.plugins.module_utils.k8s import lease
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

POLL_SECONDS = 0.2
MICRO_TIME = lease.MICRO_TIME
utc_now = lease.utc_now
parse_time = lease.parse_time
expired = lease.expired
holder_of = lease.holder_of


def lease_name(group):
    return "runbook-switch-%s" % group


def takeable(current):
    """A free Lease (absent, released, holder-less) or one its holder stopped renewing."""
    return lease.free(current) or lease.expired(current, utc_now())


class LeaseLock:
    """Take with acquire(), give back with release(); an expired Lease of a killed run is taken over."""

    def __init__(self, leases, namespace, group, holder, duration):
        """leases: the dynamic client's coordination.k8s.io/v1 Lease resource."""
        self.name = lease_name(group)
        self.store = lease.LeaseStore(leases, namespace, self.name)
        self.holder = holder
        self.duration = int(duration)
        self.held = None
        self.taken_over = None
        self.contended = False  # another run's Lease was found: the group may have changed meanwhile

    def body(self, current=None):
        return lease.lease_body(self.name, self.holder, self.duration, current=current)

    def acquire(self, timeout):
        try:
            self.held, replaced, self.contended = locking.acquire(self.store, self.body, takeable, timeout,
                                                                  POLL_SECONDS)
        except locking.LockHeld as held:
            raise RunbookError("Another switch of this group holds the lock: Lease %s is held by %s; nothing "
                               "was changed. Wait for it, raise lock_timeout, or delete the Lease if that run "
                               "is gone" % (self.name, holder_of(held.current)),
                               lock_holder=lease.holder_identity(held.current))
        self.taken_over = lease.holder_identity(replaced)
        return self

    def release(self):
        """Delete our Lease; the precondition keeps a Lease someone took over from being deleted."""
        if not self.held:
            return
        try:
            self.store.delete(self.held)
        except RunbookError:
            pass  # the switch's outcome stands; an undeleted Lease expires after its duration
        self.held = None
