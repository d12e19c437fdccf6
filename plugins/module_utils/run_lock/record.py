# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a run lock records (holder, pid, host, times) and who may take it; the same for every store.

A record is a dict: holder, pid and host of the run's ansible-playbook process, acquired, renewed
and expires (UTC, Lease MicroTime format) and ttl in seconds. A store's read() gives None for no lock.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import errno
import os
import socket

from ansible_collections.runbook.ops.plugins.module_utils.k8s import lease

FIELDS = ("holder", "pid", "host", "acquired", "renewed", "expires", "ttl")
# Who may take a lock found in a store: verdicts other than HELD.
FREE, OURS, EXPIRED, DEAD, HELD = "free", "ours", "expired", "dead", "held"


class Claimant:
    """The run asking for the lock."""

    def __init__(self, holder, pid, host, ttl):
        self.holder = holder
        self.pid = pid
        self.host = host
        self.ttl = int(ttl)

    def record(self, acquired=None):
        now = lease.utc_now()
        return dict(holder=self.holder, pid=self.pid, host=self.host, acquired=acquired or lease.format_time(now),
                    renewed=lease.format_time(now), ttl=self.ttl,
                    expires=lease.format_time(now + datetime.timedelta(seconds=self.ttl)))

    def renewal_of(self, current):
        """Our record over current: the first acquisition's time is kept when the lock is already ours."""
        return self.record(acquired=current["acquired"] if verdict_of(current, self) == OURS else None)


def verdict_of(current, claimant, now=None, this_host=None):
    """FREE, OURS, EXPIRED, DEAD (its process is gone, on this host) or HELD."""
    if not current or not current.get("holder"):
        return FREE
    if current["holder"] == claimant.holder:
        return OURS
    ends = lease.parse_time(current.get("expires"))
    if ends is None or ends < (now or lease.utc_now()):
        return EXPIRED
    if current.get("host") == (this_host or socket.gethostname()) and current.get("pid") and not alive(current["pid"]):
        return DEAD
    return HELD


def alive(pid):
    try:
        os.kill(int(pid), 0)
    except (TypeError, ValueError):
        return True  # not a pid this collection wrote: only its expiry can free the lock
    except OSError as exc:
        return exc.errno != errno.ESRCH  # EPERM: it runs, as another user
    return True


def public(record):
    """The record as modules return it (no store internals)."""
    return dict((key, record.get(key)) for key in FIELDS) if record else None


def shown(moment):
    """A recorded time to the second, for messages."""
    parsed = lease.parse_time(moment)
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ") if parsed else "an unknown time"


def holder_text(record):
    return "%s since %s, expires %s" % (record.get("holder") or "unknown", shown(record.get("acquired")),
                                        shown(record.get("expires")))
