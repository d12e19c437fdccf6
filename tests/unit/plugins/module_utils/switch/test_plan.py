# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.switch import plan
from ansible_collections.runbook.ops.plugins.module_utils.transaction import Transaction


@pytest.mark.parametrize("services, expected", [
    (["bi"], [{"name": "bi", "preview": "bi-preview"}]),
    ([{"name": "bi", "preview": "bi-staging"}, "chat"],
     [{"name": "bi", "preview": "bi-staging"}, {"name": "chat", "preview": "chat-preview"}]),
])
def test_service_specs(services, expected):
    assert plan.service_specs(services) == expected


@pytest.mark.parametrize("services", [[], None, ["Bad_Name"], [{"preview": "x"}], [42], ["bi", "bi"]])
def test_service_specs_refuse(services):
    with pytest.raises(InputError) as caught:
        plan.service_specs(services)
    assert caught.value.details["option"] == "services"


@pytest.mark.parametrize("key, valid", [
    ("version", True), ("app.example.com/color", True), ("color-1.a_b", True),
    ("", False), ("bad key!", False), ("/version", False), ("Example.COM/color", False), ("x" * 64, False),
])
def test_check_label_key(key, valid):
    if valid:
        assert plan.check_label_key(key) == key
    else:
        with pytest.raises(InputError):
            plan.check_label_key(key)


def test_group_name_defaults_to_a_hash_independent_of_order():
    assert plan.group_name(None, ["b", "a"]) == plan.group_name(None, ["a", "b"])
    assert plan.group_name(None, ["a"]) != plan.group_name(None, ["a", "b"])
    assert plan.group_name("core-apis", ["a"]) == "core-apis"
    with pytest.raises(InputError):
        plan.group_name("Core APIs", ["a"])


@pytest.mark.parametrize("requested, recorded, expected", [
    ("green", {"a": None}, "green"),
    ("previous", {"a": "blue", "b": "blue"}, "blue"),
    ("previous", {"a": None, "b": None}, RunbookError),
    ("previous", {"a": "blue", "b": "green"}, RunbookError),
    ("previous", {"a": "blue", "b": None}, RunbookError),
    ("previous", {"a": "purple"}, RunbookError),
])
def test_resolve_color(requested, recorded, expected):
    if expected is RunbookError:
        with pytest.raises(RunbookError):
            plan.resolve_color(requested, recorded)
    else:
        assert plan.resolve_color(requested, recorded) == expected


@pytest.mark.parametrize("current, target, switch, unchanged, mixed, previous", [
    ({"a": "blue", "b": "blue"}, "green", ["a", "b"], [], False, "blue"),
    ({"a": "green", "b": "green"}, "green", [], ["a", "b"], False, "green"),
    ({"a": "green", "b": "blue", "c": "blue"}, "green", ["b", "c"], ["a"], True, "blue"),
    ({"a": "green", "b": "blue"}, "blue", ["a"], ["b"], True, "green"),
    ({"a": None, "b": "blue"}, "green", ["a", "b"], [], False, "blue"),
])
def test_plan_switch(current, target, switch, unchanged, mixed, previous):
    result = plan.plan_switch(current, target)
    assert result == dict(color=target, switch=switch, unchanged=unchanged, mixed_before=mixed,
                          previous_color=previous)


class Denied(Exception):
    status, reason = 403, "Forbidden"


@pytest.mark.parametrize("switched, failing, restored, not_restored, outcome", [
    ([], [], [], [], "Nothing had been switched"),
    (["a", "b"], [], ["b", "a"], [], "restored all of them, so every Service is on its original color"),
    (["a", "b", "c"], ["b"], ["c", "a"], ["b (HTTP 403 Forbidden)"], "could NOT restore b (HTTP 403 Forbidden)"),
])
def test_ledger_rolls_back_newest_first_and_says_so(switched, failing, restored, not_restored, outcome):
    ledger = Transaction()
    for name in switched:
        ledger.record(name)
    calls = []

    def restore(name):
        calls.append(name)
        if name in failing:
            raise Denied()

    ledger.rollback(restore)
    assert calls == list(reversed(switched))
    assert plan.rollback_details(ledger) == dict(switched=switched, restored=restored, not_restored=not_restored)
    message = plan.rollback_message(ledger, "Patching x failed")
    assert message.startswith("Patching x failed. ")
    assert outcome in message
