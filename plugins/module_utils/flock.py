# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An exclusive flock waited for up to a deadline: the nginx group lock and the run lock file's guard."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import time


def flock_within(handle, seconds, poll_seconds):
    """Takes an exclusive flock on handle (a file object or descriptor), trying every poll_seconds;
    False when it is still held by another process after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except (IOError, OSError):
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll_seconds)
