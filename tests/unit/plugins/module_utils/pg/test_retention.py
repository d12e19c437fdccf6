# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.pg.retention import (
    decide, expired, stale_leftovers, stale_uploads)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def backups(spec):
    """'10v 9 3v 1' -> backups started 10, 9, 3 and 1 days ago, 'v' when verified."""
    return [{"key": "d%s" % item.rstrip("v"), "started": NOW - timedelta(days=int(item.rstrip("v"))),
             "verified": item.endswith("v")} for item in spec.split()]


@pytest.mark.parametrize("spec, keep_days, keep_last, deleted", [
    ("10v 9v 3v 1v", None, None, []),
    ("10v 9v 3v 1v", 7, None, ["d10", "d9"]),
    ("10v 9v 3v 1v", None, 2, ["d10", "d9"]),
    ("10v 9v 3v 1v", 7, 3, ["d10"]),
    ("10v 9v 3v 1v", 2, 1, ["d10", "d9", "d3"]),
    # The newest verified backup survives both rules.
    ("10v 9 3 1", 2, 1, ["d9", "d3"]),
    ("10v 9 3 1", 0, None, ["d9", "d3", "d1"]),
    # Nothing verified: the newest backup is kept.
    ("10 9 3", 0, None, ["d10", "d9"]),
    ("", 7, 1, []),
    ("5v", 0, 1, []),
])
def test_expired(spec, keep_days, keep_last, deleted):
    assert expired(backups(spec), NOW, keep_days, keep_last) == deleted


def test_expired_ignores_listing_order():
    items = backups("1v 10v 3v 9v")
    assert expired(items, NOW, 7, None) == ["d10", "d9"]


@pytest.mark.parametrize("ages_hours, grace, stale", [
    ([1, 23, 25, 100], 24, ["h100", "h25"]),
    ([1], 0, ["h1"]),
    ([], 24, []),
    ([5], 6, []),
])
def test_stale_leftovers(ages_hours, grace, stale):
    leftovers = [{"key": "h%d" % age, "started": NOW - timedelta(hours=age)} for age in ages_hours]
    assert stale_leftovers(leftovers, NOW, grace) == sorted(stale)


def rechecker(rotted):
    """A recheck that fails the keys in ``rotted`` and records what it was asked."""
    asked = []

    def recheck(backup):
        asked.append(backup["key"])
        if backup["key"] in rotted:
            return {"passed": False, "error": "%s does not match its manifest" % backup["key"]}
        return {"passed": True, "error": None}
    return recheck, asked


@pytest.mark.parametrize("spec, keep_days, keep_last, rotted, deleted, protected, asked", [
    # The case: the newest verified backup rotted, keep_last 1 must not delete the intact older one.
    ("10v 9v 1v", None, 1, ["d1"], ["d10"], "d9", ["d1", "d9"]),
    # Every newer verified backup rotted: the walk goes on to the oldest one; rotted ones the rules drop go.
    ("10v 9v 1v", None, 1, ["d1", "d9"], ["d9"], "d10", ["d1", "d9", "d10"]),
    # No verified backup passes: the newest unverified one that passes is kept.
    ("10 9v 1v", None, 1, ["d1", "d9"], ["d9"], "d10", ["d1", "d9", "d10"]),
    ("10 8 9v 1v", None, 1, ["d1", "d9"], ["d10", "d9"], "d8", ["d1", "d9", "d8"]),
    # Nothing passes: nothing is deleted.
    ("10v 9v 1v", None, 1, ["d1", "d9", "d10"], [], None, ["d1", "d9", "d10"]),
    # The newest verified one passes: one re-check, the usual result.
    ("10v 9v 1v", None, 1, [], ["d10", "d9"], "d1", ["d1"]),
    # Nothing to delete by the rules: no re-check at all (no download).
    ("10v 9v 1v", 30, None, ["d1"], [], None, []),
])
def test_decide_rechecks_the_kept_backup(spec, keep_days, keep_last, rotted, deleted, protected, asked):
    recheck, calls = rechecker(rotted)
    decision = decide(backups(spec), NOW, keep_days, keep_last, recheck)
    assert decision["delete"] == deleted
    assert decision["protected"] == protected
    assert calls == asked
    assert [item["key"] for item in decision["rechecked"] if not item["passed"]] == [k for k in asked if k in rotted]
    for key in rotted:
        if key in asked:
            assert key in decision["reason"]


def test_decide_trusts_the_backup_this_run_verified():
    items = backups("10v 9v") + [{"key": "new", "started": NOW, "verified": True, "fresh": True}]
    recheck, calls = rechecker([])
    decision = decide(items, NOW, None, 1, recheck)
    assert decision["delete"] == ["d10", "d9"] and decision["protected"] == "new" and calls == []
    assert "this run" in decision["reason"]


def test_decide_rechecks_an_older_backup_when_this_runs_backup_is_unverified():
    items = backups("10v 9v") + [{"key": "new", "started": NOW, "verified": False, "fresh": True}]
    recheck, calls = rechecker(["d9"])
    decision = decide(items, NOW, None, 1, recheck)
    assert decision["delete"] == ["d9"] and decision["protected"] == "d10" and calls == ["d9", "d10"]


def test_decide_without_recheck_trusts_the_recorded_verification():
    decision = decide(backups("10v 9v 1v"), NOW, None, 1, None)
    assert decision["delete"] == ["d10", "d9"] and decision["protected"] == "d1" and decision["rechecked"] == []
    assert "retention_recheck=none" in decision["reason"]


def uploads(spec):
    """'25:25 30:1' -> uploads the store says started 25 and 30 hours ago, whose keys say 25 and 1 hour ago."""
    result = []
    for index, item in enumerate(spec.split()):
        initiated, started = (int(part) for part in item.split(":"))
        result.append({"key": "k%d" % index, "upload_id": "u%d" % index,
                       "initiated": NOW - timedelta(hours=initiated), "started": NOW - timedelta(hours=started)})
    return result


@pytest.mark.parametrize("spec, grace, stale", [
    ("25:25 30:30 1:1", 24, ["k0", "k1"]),
    # A store reporting a date of its own (moto: 2010) must not abort an upload a running backup writes.
    ("140000:1", 24, []),
    ("140000:1", 0, ["k0"]),
    ("1:30", 24, []),
    ("", 0, []),
])
def test_stale_uploads(spec, grace, stale):
    assert [item["key"] for item in stale_uploads(uploads(spec), NOW, grace)] == stale
