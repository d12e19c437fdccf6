# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import load, restore


def params(**changes):
    base = dict(source="/backups/2026/12/01/db_20261201T000000000Z.dump", destination=None, database="db",
                source_database=None, target="existing", method="swap", keep_previous=False, jobs=1,
                safety_backup=False, maintenance_db="postgres")
    base.update(changes)
    return base


@pytest.mark.parametrize("changes, option", [
    (dict(method="transaction", jobs=2), "jobs"),
    (dict(maintenance_db="db"), "maintenance_db"),
    (dict(method="transaction", keep_previous=True), "keep_previous"),
    (dict(target="new", keep_previous=True), "keep_previous"),
])
def test_validate_refuses(changes, option):
    with pytest.raises(InputError) as info:
        restore.validate(params(**changes))
    assert info.value.details["option"] == option


@pytest.mark.parametrize("changes", [
    dict(), dict(jobs=4), dict(method="transaction"), dict(target="new", method="transaction", jobs=2),
    dict(target="new", maintenance_db="db"), dict(method="transaction", maintenance_db="db"), dict(keep_previous=True),
])
def test_validate_accepts(changes):
    restore.validate(params(**changes))


def test_unchanged_says_so_once():
    error = restore.unchanged(RunbookError("pg_restore failed (exit 1): boom.", exit_code=1), "db",
                              "the scratch database db_restoring was dropped")
    assert error.msg == "pg_restore failed (exit 1): boom; the scratch database db_restoring was dropped; target db unchanged"
    assert error.details == {"exit_code": 1, "target_changed": False}
    assert restore.unchanged(error, "db") is error


def test_unchanged_keeps_an_error_that_says_the_target_changed():
    error = RunbookError("Target db was restored, but ...", target_changed=True)
    assert restore.unchanged(error, "db") is error


@pytest.mark.parametrize("single_transaction, clean, jobs, expected", [
    (True, True, 1, ["--single-transaction", "--clean", "--if-exists"]),
    (False, False, 4, ["--jobs=4"]),
    (False, True, 1, ["--clean", "--if-exists"]),
])
def test_restore_argv(single_transaction, clean, jobs, expected):
    args = load.restore_argv("/usr/bin/pg_restore", "db", clean, jobs, single_transaction=single_transaction)
    assert args == ["/usr/bin/pg_restore", "--no-password", "--exit-on-error", "--dbname=db"] + expected


def test_psql_stops_on_the_first_error_in_one_transaction():
    args = load.psql_argv("/usr/bin/psql", "db")
    assert "--set=ON_ERROR_STOP=1" in args and "--single-transaction" in args


class Admin:
    def close(self):
        pass


class Steps:
    """Stands in for the server and the restore program; records what was done, in order."""

    def __init__(self, monkeypatch, fail=None):
        self.done = []
        self.fail = fail
        monkeypatch.setattr(restore.swap, "prepare", lambda *_args: self.step("create scratch"))
        monkeypatch.setattr(restore.swap, "finish", lambda *_args: self.step("finish scratch"))
        monkeypatch.setattr(restore.swap, "previous_name", lambda *_args: "db_before")
        monkeypatch.setattr(restore.swap, "swap", lambda *_args: self.step("swap") or 2)
        monkeypatch.setattr(restore.connection, "drop_database", lambda _admin, name: self.step("drop " + name))

    def step(self, what):
        self.done.append(what)
        if what == self.fail:
            raise RunbookError("%s failed" % what)


class Timer:
    def phase(self, _name):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        return False


def swapping(monkeypatch, steps, keep_previous=False):
    job = restore.Restore.__new__(restore.Restore)
    job.params = params(keep_previous=keep_previous, terminate_sessions=True)
    job.database, job.scratch, job.properties, job.server_major = "db", "db_restoring", {}, 15
    job.timer = Timer()
    job.conn = type("Conn", (), {"connected": lambda self, _db: contextlib.closing(Admin())})()
    monkeypatch.setattr(job, "_restorer", lambda clean: lambda database: steps.step("restore into " + database))
    monkeypatch.setattr(job, "_checked_rows", lambda database: steps.step("count " + database) or ({"t": 1}, True))
    return job


@pytest.mark.parametrize("keep_previous, dropped", [(False, ["drop db_before"]), (True, [])])
def test_swap_after_a_complete_checked_restore(monkeypatch, keep_previous, dropped):
    steps = Steps(monkeypatch)
    result = swapping(monkeypatch, steps, keep_previous)._restore_and_swap()
    assert steps.done == ["create scratch", "restore into db_restoring", "count db_restoring", "finish scratch",
                          "swap"] + dropped
    expected = {"rows": {"t": 1}, "row_counts_checked": True, "terminated_sessions": 2}
    if keep_previous:
        expected["previous_database"] = "db_before"
    assert result == expected


@pytest.mark.parametrize("failing, says", [
    ("restore into db_restoring", "the scratch database db_restoring was dropped"),
    ("count db_restoring", "the scratch database db_restoring was dropped"),
    ("finish scratch", "the scratch database db_restoring was dropped"),
    ("swap", "the scratch database db_restoring was dropped"),
    ("create scratch", None),
])
def test_a_failure_before_the_swap_leaves_the_target(monkeypatch, failing, says):
    steps = Steps(monkeypatch, fail=failing)
    with pytest.raises(RunbookError) as info:
        swapping(monkeypatch, steps)._restore_and_swap()
    assert info.value.msg.endswith("target db unchanged")
    assert info.value.details["target_changed"] is False
    assert steps.done[-1] == ("drop db_restoring" if says else "create scratch")
    assert (says or "") in info.value.msg
    assert "drop db" not in steps.done and "drop db_before" not in steps.done


def test_a_scratch_that_cannot_be_dropped_is_named(monkeypatch):
    steps = Steps(monkeypatch, fail="restore into db_restoring")

    def lost(_admin, _name):
        raise RunbookError("connection lost")

    monkeypatch.setattr(restore.connection, "drop_database", lost)
    with pytest.raises(RunbookError) as info:
        swapping(monkeypatch, steps)._restore_and_swap()
    assert "db_restoring could not be dropped (connection lost); the next restore into db drops it" in info.value.msg
    assert info.value.msg.endswith("target db unchanged")


def test_a_previous_database_that_cannot_be_dropped_says_the_target_was_restored(monkeypatch):
    steps = Steps(monkeypatch, fail="drop db_before")
    with pytest.raises(RunbookError) as info:
        swapping(monkeypatch, steps)._restore_and_swap()
    assert info.value.details["target_changed"] is True
    assert "Target db was restored" in info.value.msg and "db_before" in info.value.msg
