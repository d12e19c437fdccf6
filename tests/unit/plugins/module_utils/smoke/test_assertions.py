# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.smoke.assertions import parse

DOCUMENT = {
    "success": True,
    "status": "healthy",
    "items": [{"id": 7, "tags": ["a", "b"]}],
    "count": 3,
    "release": "v2.0.0",
    "empty": [],
    "nothing": None,
}


@pytest.mark.parametrize("text", [
    "success == true",
    "status in [ok, healthy]",
    "status in ['ok', \"healthy\"]",
    "items | length > 0",
    "items|length==1",
    "items[0].id == 7",
    "items[-1].tags[1] == b",
    "items[0].tags contains a",
    "count >= 3",
    "count < 3.5",
    "count<4",
    "status!=ok",
    "count != 4",
    "release matches ^v2\\.",
    "release not in [v1, v1.9]",
    "empty | length == 0",
    "nothing == null",
    "nothing exists",
    "missing absent",
    ". | length == 7",
])
def test_assertions_that_hold(text):
    assert parse(text).check(DOCUMENT) is None


@pytest.mark.parametrize("text, message", [
    ("success == false", "assertion 'success == false' failed: value seen true"),
    ("status in [ok, ready]", "assertion 'status in [ok, ready]' failed: value seen \"healthy\""),
    ("items | length > 1", "assertion 'items | length > 1' failed: value seen 1"),
    ("missing == 1", "assertion 'missing == 1' failed: missing not found in the response"),
    ("items[3].id == 7", "assertion 'items[3].id == 7' failed: items[3].id not found in the response"),
    ("count > high", "assertion 'count > high' failed: value seen 3"),
    ("count | length > 0", "assertion 'count | length > 0' failed: value seen 3 has no length"),
    ("status exists", None),
    ("status absent", "assertion 'status absent' failed: value seen \"healthy\""),
])
def test_failed_assertions_say_what_was_seen(text, message):
    assert parse(text).check(DOCUMENT) == message


@pytest.mark.parametrize("text, fix", [
    ("success =~ true", "unknown operator '=~'"),
    ("success", "write PATH OPERATOR VALUE"),
    ("", "write PATH OPERATOR VALUE"),
    ("success ==", "needs a value"),
    ("items | count > 0", "unknown filter 'count'"),
    ("status in ok", "needs a list"),
    ("name matches (", "does not compile"),
    ("status exists 1", "takes no value"),
    ("a..b == 1", "is not valid"),
    ("a[x] == 1", "is not valid"),
])
def test_bad_assertions_fail_clearly(text, fix):
    with pytest.raises(InputError) as caught:
        parse(text, "checks[0].assertions")
    assert caught.value.details == {"option": "checks[0].assertions", "value": text}
    assert fix in caught.value.msg
