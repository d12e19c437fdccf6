# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import subprocess
import sys

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.run_lock import lock_file, record, run
from ansible_collections.runbook.ops.plugins.module_utils.timing import PhaseTimer

NOW = datetime.datetime(2026, 12, 1, 22, 0, 0)
ME = record.Claimant("ops@ctl:10/run-a", 10, "ctl", 3600)


def gone_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def lock(holder="other@ctl:20/run-b", expires="2026-12-01T23:00:00.000000Z", pid=None, host="ctl"):
    return dict(holder=holder, pid=os.getpid() if pid is None else pid, host=host,
                acquired="2026-12-01T21:00:00.000000Z", renewed="2026-12-01T22:00:00.000000Z", ttl=3600,
                expires=expires)


@pytest.mark.parametrize("found, verdict", [
    (None, record.FREE),
    (lock(holder=None), record.FREE),
    (lock(holder=""), record.FREE),
    (lock(holder="ops@ctl:10/run-a"), record.OURS),
    (lock(expires="2026-12-01T21:59:59.000000Z"), record.EXPIRED),
    (lock(expires=None), record.EXPIRED),
    (lock(pid=gone_pid()), record.DEAD),
    (lock(pid=gone_pid(), host="elsewhere"), record.HELD),
    (lock(), record.HELD),
], ids=["absent", "no holder", "released", "ours", "expired", "no expiry", "dead here", "dead elsewhere", "live"])
def test_verdicts(found, verdict):
    assert record.verdict_of(found, ME, now=NOW, this_host="ctl") == verdict


def test_renewal_keeps_the_first_acquisition():
    mine = lock(holder=ME.holder)
    assert ME.renewal_of(mine)["acquired"] == mine["acquired"]
    assert ME.renewal_of(lock(expires="2020-01-01T00:00:00Z"))["acquired"] != mine["acquired"]


def test_the_file_appears_whole_and_only_once(tmp_path):
    store = lock_file.FileStore(str(tmp_path), "g")
    first, second = ME.record(), record.Claimant("x@y:1/r", 1, "y", 60).record()
    assert store.write(first, None) == first
    assert store.write(second, None) is None
    with open(store.path) as handle:
        assert json.load(handle)["holder"] == ME.holder
    assert [name for name in os.listdir(str(tmp_path)) if name.endswith(".tmp")] == []


def test_a_file_that_changed_since_it_was_read_is_not_replaced_or_removed(tmp_path):
    store = lock_file.FileStore(str(tmp_path), "g")
    stale = lock(expires="2020-01-01T00:00:00.000000Z")
    store.write(stale, None)
    newer = record.Claimant("quick@ctl:30/run-q", 30, "ctl", 60).record()
    assert store.write(newer, store.read()) == newer
    assert store.write(ME.record(), stale) is None
    assert store.delete(stale) is False
    assert store.read()["holder"] == "quick@ctl:30/run-q"


class Module:
    def __init__(self, check_mode=False, **params):
        self.params = dict(dict(state="acquired", group="local", holder=ME.holder, holder_pid=10, holder_host="ctl",
                                ttl=3600, lock_timeout=0), **params)
        self.check_mode = check_mode
        self._diff = True
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


def go(module, store):
    return run.run(module, PhaseTimer(), lambda dummy, group: store)


def test_check_mode_reports_and_takes_nothing(tmp_path):
    store = lock_file.FileStore(str(tmp_path), "local")
    result = go(Module(check_mode=True), store)
    assert result["changed"] and result["acquired"] and result["verdict"] == "free"
    assert result["diff"]["before"] == {} and result["diff"]["after"]["holder"] == ME.holder
    assert store.read() is None
    # Not even the guard file: check mode leaves the directory as it found it.
    assert os.listdir(str(tmp_path)) == []


def test_check_mode_release_leaves_the_lock_and_no_guard(tmp_path):
    store = lock_file.FileStore(str(tmp_path), "local")
    store.write(lock(holder=ME.holder, expires="2099-01-01T00:00:00.000000Z"), None)
    os.unlink(store.guard_path)
    result = go(Module(check_mode=True, state="released"), store)
    assert result["changed"] and result["released"]
    assert store.read()["holder"] == ME.holder
    assert os.listdir(str(tmp_path)) == [os.path.basename(store.path)]


def test_a_live_holder_is_named_with_since_and_expiry(tmp_path):
    store = lock_file.FileStore(str(tmp_path), "local")
    # The run reads the real clock: the lock must still be live whenever the test runs.
    store.write(lock(expires="2099-01-01T00:00:00.000000Z"), None)
    with pytest.raises(RunbookError) as failure:
        go(Module(), store)
    assert failure.value.msg.startswith("Another run holds the deploy lock of local: other@ctl:20/run-b since "
                                        "2026-12-01T21:00:00Z, expires 2099-01-01T00:00:00Z; nothing was changed")
    assert failure.value.details["held_by"]["holder"] == "other@ctl:20/run-b"
    assert store.read()["holder"] == "other@ctl:20/run-b"


def test_a_dead_holder_is_taken_over_with_a_warning(tmp_path):
    store = lock_file.FileStore(str(tmp_path), "local")
    pid = gone_pid()
    store.write(lock(pid=pid, host=os.uname()[1], expires="2099-01-01T00:00:00.000000Z"), None)
    module = Module()
    result = go(module, store)
    assert result["verdict"] == "dead" and result["taken_over"] == "other@ctl:20/run-b"
    assert module.warnings == ["Took over the deploy lock of local from other@ctl:20/run-b: its process %d on %s "
                               "is gone" % (pid, os.uname()[1])]


def test_someone_elses_lock_is_not_released(tmp_path):
    store = lock_file.FileStore(str(tmp_path), "local")
    store.write(lock(expires="2099-01-01T00:00:00.000000Z"), None)
    module = Module(state="released")
    result = go(module, store)
    assert not result["changed"] and not result["released"]
    assert "not by this run" in module.warnings[0]
    assert store.read()["holder"] == "other@ctl:20/run-b"


@pytest.mark.parametrize("params, option", [
    ({"group": "Local"}, "group"),
    ({"ttl": 0}, "ttl"),
    ({"lock_timeout": -5}, "lock_timeout"),
    ({"holder": " "}, "holder"),
])
def test_bad_input_names_the_option(tmp_path, params, option):
    with pytest.raises(RunbookError) as failure:
        go(Module(**params), lock_file.FileStore(str(tmp_path), "local"))
    assert failure.value.details["option"] == option
    assert os.listdir(str(tmp_path)) == []
