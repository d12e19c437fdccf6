# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""run_lock: one run at a time per service group (deploy, rollback, restore), on any store.

acquired - a lock that is free, ours (renewed), expired, or left by a dead process on this host
is taken; one held by a live run fails at once (or after lock_timeout) naming that run.
released - our lock is removed; someone else's is left alone. Check mode reads and decides only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.runbook.ops.plugins.module_utils import locking
from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.run_lock import record as records

POLL_SECONDS = 1.0
GROUP = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def run(module, timer, open_store):
    """open_store(module, group) -> the platform's store (kubernetes.LeaseStore, lock_file.FileStore)."""
    params = module.params
    with timer.phase("validate"):
        group = check_group(params.get("group"))
        claimant = claimant_of(params)
        timeout = check_seconds("lock_timeout", params.get("lock_timeout"), minimum=0)
        store = open_store(module, group)
    if params["state"] == "released":
        with timer.phase("release"):
            return release(module, store, claimant, group)
    with timer.phase("lock"):
        return acquire(module, store, claimant, group, timeout)


def check_group(group):
    if not group or not GROUP.match(group):
        raise InputError("group", group, "use at most 63 lower-case letters, digits and '-' (it names a Lease and a file)")
    return group


def check_seconds(option, value, minimum):
    if value is None or value < minimum:
        raise InputError(option, value, "give a whole number of seconds, at least %d" % minimum)
    return value


def claimant_of(params):
    holder = params.get("holder")
    if not holder or not holder.strip() or "\n" in holder:
        raise InputError("holder", holder, "give the identity of the run on one line (the action plugin sets "
                                           "the AWX job or user@host:pid of ansible-playbook by default)")
    ttl = check_seconds("ttl", params.get("ttl"), minimum=1)
    return records.Claimant(holder.strip(), params.get("holder_pid"), params.get("holder_host"), ttl)


def acquire(module, store, claimant, group, timeout):
    if module.check_mode:
        current = store.read()
        verdict = records.verdict_of(current, claimant)
        if verdict == records.HELD:
            raise held(group, current, store, 0)
        return acquired(module, store, group, verdict, current, claimant.renewal_of(current))
    decided = {}

    def takeable(current):
        decided["verdict"] = records.verdict_of(current, claimant)
        return decided["verdict"] != records.HELD

    try:
        written, replaced, dummy = locking.acquire(store, claimant.renewal_of, takeable, timeout, POLL_SECONDS)
    except locking.LockHeld as exc:
        raise held(group, exc.current, store, timeout)
    verdict = decided["verdict"] if replaced is not None else records.FREE
    return acquired(module, store, group, verdict, replaced, written)


def held(group, current, store, timeout):
    waited = " (waited %ss)" % timeout if timeout else ""
    return RunbookError("Another run holds the deploy lock of %s: %s; nothing was changed%s. Wait for that run "
                        "to end or raise lock_timeout; if it is gone, %s" % (
                            group, records.holder_text(current), waited, store.removal()),
                        changed=False, acquired=False, held_by=records.public(current), location=store.location())


def acquired(module, store, group, verdict, before, after):
    taken_over = before["holder"] if verdict in (records.EXPIRED, records.DEAD) else None
    if taken_over:
        why = ("it expired at %s" % records.shown(before.get("expires")) if verdict == records.EXPIRED
               else "its process %s on %s is gone" % (before.get("pid"), before.get("host")))
        module.warn("Took over the deploy lock of %s from %s: %s" % (group, taken_over, why))
    result = dict(changed=verdict != records.OURS, acquired=True, holder=after["holder"], verdict=verdict,
                  renewed=verdict == records.OURS, taken_over=taken_over, expires=after["expires"],
                  lock=records.public(after), previous=records.public(before) if verdict != records.FREE else None,
                  location=store.location())
    return with_diff(module, result, before, after)


def release(module, store, claimant, group):
    current = store.read()
    verdict = records.verdict_of(current, claimant)
    result = dict(changed=False, released=False, holder=claimant.holder, previous=records.public(current)
                  if verdict != records.FREE else None, location=store.location())
    if verdict == records.FREE:
        return with_diff(module, result, None, None)
    if verdict != records.OURS:
        module.warn("The deploy lock of %s is held by %s, not by this run (%s); it was left alone"
                    % (group, records.holder_text(current), claimant.holder))
        return with_diff(module, result, current, current)
    if not module.check_mode and not store.delete(current):
        # Changed between our read and the delete: whoever holds it now keeps it.
        return release(module, store, claimant, group)
    result.update(changed=True, released=True)
    return with_diff(module, result, current, None)


def with_diff(module, result, before, after):
    if module._diff:
        result["diff"] = dict(before=records.public(before) or {}, after=records.public(after) or {})
    return result
