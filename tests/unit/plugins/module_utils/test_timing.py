# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.runbook.ops.plugins.module_utils import timing


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(timing.time, "monotonic", fake)
    return fake


@pytest.mark.parametrize("steps, expected", [
    ([("validate", 0.012)], {"validate": 12.0, "total": 12.0}),
    ([("validate", 0.001), ("switch", 0.25)], {"validate": 1.0, "switch": 250.0, "total": 251.0}),
    ([("verify", 0.1), ("verify", 0.05)], {"verify": 150.0, "total": 150.0}),
])
def test_phases_accumulate_and_total_covers_all(clock, steps, expected):
    timer = timing.PhaseTimer()
    for name, seconds in steps:
        with timer.phase(name):
            clock.now += seconds
    assert timer.as_dict() == pytest.approx(expected)


def test_phase_is_recorded_when_it_raises(clock):
    timer = timing.PhaseTimer()
    with pytest.raises(RuntimeError):
        with timer.phase("switch"):
            clock.now += 0.5
            raise RuntimeError("boom")
    assert timer.as_dict()["switch"] == 500.0


def test_now_ms_rounds_to_a_tenth(clock):
    started = clock.now
    clock.now += 0.0123456
    assert timing.now_ms(started) == 12.3


def test_the_clock_is_aware_utc():
    assert timing.utc_now().utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize("formatter, expected", [
    (timing.iso_micro, "2026-03-07T04:05:06.000789Z"),
    (timing.iso_seconds, "2026-03-07T04:05:06Z"),
])
def test_formats_keep_their_exact_shape(formatter, expected):
    assert formatter(datetime.datetime(2026, 3, 7, 4, 5, 6, 789, tzinfo=datetime.timezone.utc)) == expected
