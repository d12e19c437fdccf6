# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which backups retention deletes: pure selection over listed backups."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import timedelta


def expired(backups, now, keep_days=None, keep_last=None):
    """Keys of complete backups to delete, oldest first.

    ``backups`` are dicts with ``key``, ``started`` (datetime) and ``verified`` (bool) of one database
    under one prefix. A backup is kept when either rule keeps it (the last ``keep_last``, or younger
    than ``keep_days``); the newest verified backup is always kept, and so is the newest one when none
    is verified. With neither rule set nothing is deleted.
    """
    if keep_days is None and keep_last is None:
        return []
    newest_first = sorted(backups, key=lambda b: b["started"], reverse=True)
    keep = set(b["key"] for b in newest_first[:keep_last or 0])
    if keep_days is not None:
        cutoff = now - timedelta(days=keep_days)
        keep.update(b["key"] for b in newest_first if b["started"] >= cutoff)
    protected = [b for b in newest_first if b["verified"]] or newest_first
    keep.update(b["key"] for b in protected[:1])
    return [b["key"] for b in reversed(newest_first) if b["key"] not in keep]


def stale_leftovers(leftovers, now, grace_hours):
    """Keys of incomplete backups (no manifest) older than the grace period, which no run can still be writing."""
    cutoff = now - timedelta(hours=grace_hours)
    return sorted(item["key"] for item in leftovers if item["started"] < cutoff)
