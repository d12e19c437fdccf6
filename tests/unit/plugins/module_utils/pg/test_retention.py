# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.pg.retention import expired, stale_leftovers

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
