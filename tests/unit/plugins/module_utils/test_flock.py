# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import multiprocessing
import os

from ansible_collections.runbook.ops.plugins.module_utils.flock import flock_within


def _try_lock(path, seconds, answers):
    with open(path, "a+") as handle:
        answers.put(flock_within(handle, seconds, 0.01))


def _other_process_takes(path, seconds):
    answers = multiprocessing.Queue()
    process = multiprocessing.Process(target=_try_lock, args=(path, seconds, answers))
    process.start()
    process.join(10)
    return answers.get(timeout=5)


def test_free_file_is_locked_at_once(tmp_path):
    path = str(tmp_path / "lock")
    with open(path, "a+") as handle:
        assert flock_within(handle, 0, 0.01) is True
        assert _other_process_takes(path, 0.05) is False


def test_held_file_is_refused_after_the_wait(tmp_path):
    path = str(tmp_path / "lock")
    with open(path, "a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        assert _other_process_takes(path, 0.1) is False
    assert _other_process_takes(path, 0.1) is True


def test_takes_a_descriptor(tmp_path):
    descriptor = os.open(str(tmp_path / "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        assert flock_within(descriptor, 0, 0.01) is True
    finally:
        os.close(descriptor)
