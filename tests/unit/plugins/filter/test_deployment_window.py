# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.runbook.ops.plugins.filter.deployment_window import deployment_window

RUNBOOK = {"weekdays": ["Tuesday"], "start": "02:00", "end": "06:00", "timezone": "Asia/Seoul"}

# Tuesday 2026-11-24 02:00 KST is Monday 2026-11-23 17:00 UTC.
CASES = [
    ("2026-11-23T17:00:00+00:00", True, "2026-11-24T02:00:00+09:00"),
    ("2026-11-23T16:59:59+00:00", False, "2026-11-24T02:00:00+09:00"),
    ("2026-11-23T20:59:59+00:00", True, "2026-11-24T02:00:00+09:00"),
    ("2026-11-23T21:00:00+00:00", False, "2026-12-01T02:00:00+09:00"),
    ("2026-11-24T02:30:00+09:00", True, "2026-11-24T02:00:00+09:00"),
    ("2026-11-25T03:00:00+09:00", False, "2026-12-01T02:00:00+09:00"),
]


@pytest.mark.parametrize("now, is_open, opens", CASES)
def test_runbook_window_edges(now, is_open, opens):
    result = deployment_window(RUNBOOK, now=now)
    assert (result["open"], result["opens"]) == (is_open, opens)


def test_window_across_midnight_closes_next_day():
    window = {"weekdays": ["Fri"], "start": "22:00", "end": "02:00"}
    assert deployment_window(window, now="2026-11-28T01:59:00+00:00")["open"] is True
    assert deployment_window(window, now="2026-11-28T02:00:00+00:00")["open"] is False


@pytest.mark.parametrize("window, message", [
    ({"weekdays": ["Caturday"], "start": "02:00", "end": "06:00"}, "unknown weekday"),
    ({"weekdays": ["Tue"], "start": "2am", "end": "06:00"}, "start must be HH:MM"),
    ({"weekdays": ["Tue"], "start": "02:00", "end": "06:00", "timezone": "Mars/Olympus"}, "unknown time zone"),
    ({"weekdays": ["Tue"], "start": "02:00"}, "missing end"),
    ({"weekdays": [], "start": "02:00", "end": "06:00"}, "at least one day"),
])
def test_bad_windows_fail_clearly(window, message):
    with pytest.raises(AnsibleFilterError, match=message):
        deployment_window(window, now="2026-11-23T17:00:00+00:00")


def test_now_without_offset_is_refused():
    with pytest.raises(AnsibleFilterError, match="UTC offset"):
        deployment_window(RUNBOOK, now="2026-11-23T17:00:00")
