# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which backups retention deletes: selection over listed backups, with the kept backup re-checked first."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import timedelta


def decide(backups, now, keep_days=None, keep_last=None, recheck=None):
    """What retention deletes and why it keeps what it keeps.

    ``backups`` are dicts with ``key``, ``started`` (datetime) and ``verified`` (bool) of one database under one
    prefix; ``fresh`` marks the backup this run writes (verified by the run itself, never re-checked). A backup
    is kept when either rule keeps it (the last ``keep_last``, or younger than ``keep_days``). Before anything
    is deleted, the newest verified backup is re-checked with ``recheck(backup)`` (``{passed, error}``); one that
    fails is reported and the walk goes on to the next older verified one, then to unverified ones: the newest
    backup that passes is never deleted. When none passes, nothing is deleted. ``recheck=None`` trusts the
    verification recorded when each backup was written.

    Returns ``{delete (keys, oldest first), protected (key or None), rechecked ([{key, passed, error}]), reason}``.
    """
    if keep_days is None and keep_last is None:
        return _decision([], None, [], "no retention rule is set")
    newest_first = sorted(backups, key=lambda b: b["started"], reverse=True)
    keep = set(b["key"] for b in newest_first[:keep_last or 0])
    if keep_days is not None:
        cutoff = now - timedelta(days=keep_days)
        keep.update(b["key"] for b in newest_first if b["started"] >= cutoff)
    if all(b["key"] in keep for b in newest_first):
        return _decision([], None, [], "keep_days/keep_last keep every backup")
    protected, rechecked = _newest_passing(newest_first, recheck)
    if protected is None:
        return _decision([], None, rechecked, "no backup passed the re-check, so none is deleted: %s"
                         % _failures(rechecked))
    keep.add(protected["key"])
    delete = [b["key"] for b in reversed(newest_first) if b["key"] not in keep]
    return _decision(delete, protected["key"], rechecked, _reason(protected, rechecked, recheck))


def expired(backups, now, keep_days=None, keep_last=None, recheck=None):
    """Keys ``decide`` deletes, oldest first."""
    return decide(backups, now, keep_days, keep_last, recheck)["delete"]


def _newest_passing(newest_first, recheck):
    """The first candidate that passes (verified ones newest first, then unverified), and the re-checks made."""
    verified = [b for b in newest_first if b["verified"]]
    unverified = [b for b in newest_first if not b["verified"] and not b.get("fresh")]
    rechecked = []
    for backup in verified + unverified:
        if recheck is None or backup.get("fresh"):
            return backup, rechecked
        outcome = recheck(backup)
        rechecked.append({"key": backup["key"], "passed": bool(outcome["passed"]), "error": outcome.get("error")})
        if outcome["passed"]:
            return backup, rechecked
    return None, rechecked


def _reason(protected, rechecked, recheck):
    kind = "verified" if protected["verified"] else "unverified (no verified backup passed)"
    if protected.get("fresh"):
        how = "written and verified by this run"
    elif recheck is None:
        how = "not re-checked (retention_recheck=none)"
    else:
        how = "its checksum re-checked"
    reason = "%s is kept as the newest %s backup, %s" % (protected["key"], kind, how)
    failed = [item for item in rechecked if not item["passed"]]
    if failed:
        reason += "; newer backups failed the re-check: %s" % _failures(failed)
    return reason


def _failures(rechecked):
    return "; ".join("%s (%s)" % (item["key"], item["error"]) for item in rechecked if not item["passed"]) or "none"


def _decision(delete, protected, rechecked, reason):
    return {"delete": delete, "protected": protected, "rechecked": rechecked, "reason": reason}


def stale_leftovers(leftovers, now, grace_hours):
    """Keys of incomplete backups (no manifest) older than the grace period, which no run can still be writing."""
    cutoff = now - timedelta(hours=grace_hours)
    return sorted(item["key"] for item in leftovers if item["started"] < cutoff)


def stale_uploads(uploads, now, grace_hours):
    """Open multipart uploads (``{key, upload_id, initiated, started}``) older than the grace period.

    Both the time the store reports (``initiated``) and the start time in the backup's key must be past it: a
    store may report a time of its own making (moto reports a fixed date), and an upload a running backup
    still writes must never be aborted.
    """
    cutoff = now - timedelta(hours=grace_hours)
    stale = [item for item in uploads if item["initiated"] < cutoff and item["started"] < cutoff]
    return sorted(stale, key=lambda item: (item["key"], item["upload_id"]))
