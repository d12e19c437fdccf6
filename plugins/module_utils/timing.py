# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wall-clock timings of a module's phases, reported as ``elapsed_ms``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from contextlib import contextmanager


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
