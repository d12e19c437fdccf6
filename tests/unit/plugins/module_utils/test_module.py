# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.module import run_module


class Exited(Exception):
    pass


class FakeModule:
    def __init__(self):
        self.exited_with = self.failed_with = None

    def exit_json(self, **kwargs):
        self.exited_with = kwargs
        raise Exited()

    def fail_json(self, **kwargs):
        self.failed_with = kwargs
        raise Exited()


def run_it(run, failure=None):
    module = FakeModule()
    with pytest.raises(Exited):
        run_module(module, run, failure)
    return module


def timed(timer):
    with timer.phase("work"):
        return dict(changed=True, color="green")


def test_the_result_exits_with_the_phases_timed():
    result = run_it(timed).exited_with
    assert result["changed"] is True and result["color"] == "green"
    assert sorted(result["elapsed_ms"]) == ["total", "work"]


def test_a_result_that_times_itself_keeps_its_elapsed_ms():
    assert run_it(lambda timer: dict(changed=False, elapsed_ms={"total": 1.0})).exited_with == dict(
        changed=False, elapsed_ms={"total": 1.0})


def failing(**details):
    def run(timer):
        with timer.phase("work"):
            raise RunbookError("it broke", **details)
    return run


def test_an_error_fails_unchanged_with_its_details_and_the_phases_timed():
    failed = run_it(failing(restored=["a"])).failed_with
    assert failed["msg"] == "it broke" and failed["changed"] is False and failed["restored"] == ["a"]
    assert sorted(failed["elapsed_ms"]) == ["total", "work"]


def test_the_error_says_whether_it_changed_something():
    assert run_it(failing(changed=True)).failed_with["changed"] is True


def test_failure_turns_the_error_into_the_one_reported():
    failed = run_it(failing(), lambda error: RunbookError(error.msg + "; the target is unchanged")).failed_with
    assert failed["msg"] == "it broke; the target is unchanged"
