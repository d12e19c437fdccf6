# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The UTC clock and its two text formats, and wall-clock timings of a module's phases (``elapsed_ms``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from contextlib import contextmanager
from datetime import datetime, timezone

ISO_MICRO = "%Y-%m-%dT%H:%M:%S.%fZ"
ISO_SECONDS = "%Y-%m-%dT%H:%M:%SZ"


def utc_now():
    """The current time as an aware datetime in UTC."""
    return datetime.now(timezone.utc)


def iso_micro(moment):
    """``moment`` (UTC) as 2026-12-02T05:15:09.123456Z, the stamp of reports and measurements."""
    return moment.strftime(ISO_MICRO)


def iso_seconds(moment):
    """``moment`` (UTC) as 2026-12-02T05:15:09Z, the stamp recorded on switched objects."""
    return moment.strftime(ISO_SECONDS)


def now_ms(since):
    """Milliseconds elapsed since the ``time.monotonic()`` value ``since``, rounded to 0.1 ms."""
    return round((time.monotonic() - since) * 1000.0, 1)


class PhaseTimer:
    """Durations of named phases, plus the total since the timer was created.

    >>> timer = PhaseTimer()
    >>> with timer.phase("validate"):
    ...     pass
    >>> sorted(timer.as_dict())
    ['total', 'validate']
    """

    def __init__(self):
        self._started = time.monotonic()
        self._phases = {}

    @contextmanager
    def phase(self, name):
        started = time.monotonic()
        try:
            yield
        finally:
            self._phases[name] = round(self._phases.get(name, 0.0) + now_ms(started), 1)

    def as_dict(self):
        result = dict(self._phases)
        result["total"] = now_ms(self._started)
        return result
