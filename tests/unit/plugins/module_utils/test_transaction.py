# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils import transaction
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError


@pytest.mark.parametrize("failing, restore_fails, shifted, restored, not_restored", [
    (None, False, ["a", "b", "c"], None, None),
    ("b", False, ["a"], ["a"], []),
    ("c", False, ["a", "b"], ["b", "a"], []),
    ("c", True, ["a", "b"], [], ["b (no access)", "a (no access)"]),
    ("a", False, [], [], []),
])
def test_apply_all_is_all_or_nothing(failing, restore_fails, shifted, restored, not_restored):
    applied = []

    def apply(name):
        if name == failing:
            raise RunbookError("conflict")
        applied.append(name)

    def restore(name):
        if restore_fails:
            raise RunbookError("no access")
        applied.remove(name)

    if failing is None:
        assert transaction.apply_all(["a", "b", "c"], apply, restore) == shifted
        return
    with pytest.raises(RunbookError) as raised:
        transaction.apply_all(["a", "b", "c"], apply, restore)
    assert raised.value.details["shifted"] == shifted
    assert raised.value.details["restored"] == restored
    assert raised.value.details["not_restored"] == not_restored
    assert "Changing %s failed: conflict" % failing in raised.value.msg


def test_rollback_restores_newest_first_and_names_what_it_could_not():
    done = transaction.Transaction()
    for name in ("a", "b", "c"):
        done.record(name)
    calls = []

    def restore(name):
        calls.append(name)
        if name == "b":
            raise RunbookError("no access")

    done.rollback(restore)
    assert calls == ["c", "b", "a"]
    assert (done.changed, done.restored, done.not_restored) == (["a", "b", "c"], ["c", "a"], ["b (no access)"])


def test_undo_says_what_failed_what_had_changed_and_what_is_back():
    error = transaction.undo(["a", "b"], lambda name: None, "c", RunbookError("read back weight 0, expected 10"))
    assert error.msg == ("Changing c failed: read back weight 0, expected 10. Changed before it: a, b; "
                         "restored: b, a; could not restore: none.")
    assert error.details == dict(failed="c", shifted=["a", "b"], restored=["b", "a"], not_restored=[])
