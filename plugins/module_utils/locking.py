# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Taking a lock through a store, whatever the store is (a Lease, a lock file); no I/O of its own.

A store has read() -> the lock as found, or None when there is none; and write(new, current) ->
what it wrote, or None when the lock is no longer ``current`` (another run wrote or removed it
first). A write over None creates the lock and must fail when one exists; a write over a lock
replaces exactly that one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

# Lost races in a row (create refused, then the lock gone; replace refused) before giving up:
# each one means another run changed the lock between two requests of ours.
RACE_LIMIT = 20


class LockHeld(Exception):
    """The lock is held by another live holder; ``current`` is the lock as last read."""

    def __init__(self, current):
        super(LockHeld, self).__init__("held")
        self.current = current


def acquire(store, make, takeable, timeout, poll, clock=time.monotonic, sleep=time.sleep):
    """Take the lock; returns (written, replaced, contended).

    make(current) is the lock to write over current (None: none exists); takeable(current) says
    whether a lock found may be replaced (free, expired, ours). The absent lock is tried first, so a
    free lock costs one write. After a lost race the lock is read again at once: one released in the
    meantime is free, not held by an unknown holder. ``contended`` tells that another run's lock was
    met on the way. Raises LockHeld when the lock is still held once ``timeout`` seconds have passed.
    """
    deadline = clock() + max(timeout or 0, 0)
    current, contended, races = None, False, 0
    while True:
        if current is None or takeable(current):
            written = store.write(make(current), current)
            if written is not None:
                return written, current, contended
            contended, races = True, races + 1
            if races > RACE_LIMIT:
                raise RunbookError("The lock changed under every one of %d attempts to take it: other runs keep "
                                   "taking and releasing it; nothing was changed, run again" % races)
        else:
            contended, races = True, 0
            if clock() >= deadline:
                raise LockHeld(current)
            sleep(poll)
        current = store.read()
