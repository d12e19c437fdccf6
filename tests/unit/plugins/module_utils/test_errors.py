# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError, describe_error, fail_with


class FakeModule:
    def __init__(self):
        self.failed_with = None

    def fail_json(self, **kwargs):
        self.failed_with = kwargs


@pytest.mark.parametrize("option, value, fix, expected", [
    ("color", "purple", "use blue, green or previous",
     "Invalid value 'purple' for option 'color': use blue, green or previous"),
    ("samples", -1, "must be 1 or more", "Invalid value -1 for option 'samples': must be 1 or more"),
])
def test_input_error_names_option_value_and_fix(option, value, fix, expected):
    error = InputError(option, value, fix)
    assert error.msg == expected
    assert error.details == {"option": option, "value": value}


def test_fail_with_keeps_partial_result_and_details():
    module = FakeModule()
    fail_with(module, RunbookError("switch failed", restored=["a"]), changed=False, switched=[])
    assert module.failed_with == {"msg": "switch failed", "restored": ["a"], "changed": False, "switched": []}


class Denied(Exception):
    status, reason = 403, "Forbidden"


@pytest.mark.parametrize("exc, described", [
    (Denied(), "HTTP 403 Forbidden"),
    (RunbookError("HTTP 403 Frozen (denied by admission webhook \"deny.example.com\"): frozen"),
     "HTTP 403 Frozen (denied by admission webhook \"deny.example.com\"): frozen"),
    (ValueError("bad value"), "bad value"),
    (ValueError(), "ValueError"),
])
def test_describe_error(exc, described):
    assert describe_error(exc) == described
