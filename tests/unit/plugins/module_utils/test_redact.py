# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.http_client import build_redactor, http_argument_spec
from ansible_collections.runbook.ops.plugins.module_utils.redact import MASK, Redactor, header_secrets, no_log_values

TOKEN = "tok-3f9a/+=é"
PASSWORD = "p@ss:w/rd"
BASIC = base64.b64encode(("ops:" + PASSWORD).encode()).decode()
SPEC = dict(http_argument_spec(), checks=dict(type="list", elements="dict", options=dict(
    headers=dict(type="dict"), secret=dict(type="str", no_log=True))))


def params(**given):
    base = dict((name, None) for name in SPEC)
    base.update(validate_certs=True, follow_redirects="none", timeout=10.0)
    base.update(given)
    return base


def redactor(**given):
    values = params(**given)
    headers = [check.get("headers") for check in values.get("checks") or []]
    return build_redactor(SPEC, values, headers)


# (case, options, text the service sends back, what the result shows)
CASES = [
    ("bearer header echoed", dict(bearer_token=TOKEN),
     '{"Authorization": "Bearer %s"}' % TOKEN, '{"Authorization": "%s"}' % MASK),
    ("token URL-encoded", dict(bearer_token=TOKEN), "next=/?t=tok-3f9a%2F%2B%3D%C3%A9", "next=/?t=" + MASK),
    ("token form-encoded", dict(bearer_token="a b+c"), "t=a+b%2Bc", "t=" + MASK),
    ("token JSON-escaped", dict(bearer_token=TOKEN), '"tok-3f9a/+=\\u00e9"', '"%s"' % MASK),
    ("basic auth base64", dict(url_username="ops", url_password=PASSWORD),
     "Authorization: Basic " + BASIC, "Authorization: Basic " + MASK),
    ("basic auth password alone", dict(url_username="ops", url_password=PASSWORD),
     "login ops/" + PASSWORD, "login ops/" + MASK),
    ("user name is not secret", dict(url_username="ops", url_password=PASSWORD), "user ops", "user ops"),
    ("secret header value", dict(secret_headers={"X-Api-Key": "k-123456"}), "key=k-123456;", "key=%s;" % MASK),
    ("credential header of a check", dict(checks=[{"headers": {"Cookie": "sid=abc123"}}]),
     "cookie sid=abc123", "cookie " + MASK),
    ("basic header of a check, decoded", dict(checks=[{"headers": {"Authorization": "Basic " + BASIC}}]),
     "password was " + PASSWORD, "password was " + MASK),
    ("token scheme of a check header", dict(checks=[{"headers": {"authorization": "Token zz-99"}}]),
     "saw zz-99", "saw " + MASK),
    ("plain header of a check stays", dict(checks=[{"headers": {"Accept": "text/plain"}}]),
     "Accept: text/plain", "Accept: text/plain"),
    ("no_log suboption", dict(checks=[{"secret": "inner-s3cret"}]), "x inner-s3cret x", "x %s x" % MASK),
    ("every occurrence", dict(bearer_token="abc"), "abc abc abc", " ".join([MASK] * 3)),
    ("no secrets", dict(), "Bearer abc", "Bearer abc"),
]


@pytest.mark.parametrize("options, echoed, shown", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_every_form_of_a_secret_is_masked(options, echoed, shown):
    assert redactor(**options).text(echoed) == shown


def test_nested_results_are_masked_keys_too_and_other_values_kept():
    masked = redactor(bearer_token=TOKEN).value(
        {"msg": "Bearer " + TOKEN, "checks": [{"errors": ["x" + TOKEN], "count": 3}], TOKEN: None, "ok": True, "n": 1.5})
    assert masked == {"msg": MASK, "checks": [{"errors": ["x" + MASK], "count": 3}], MASK: None,
                      "ok": True, "n": 1.5}


@pytest.mark.parametrize("cut_at", range(0, 16))
def test_an_excerpt_cut_across_a_secret_keeps_none_of_it(cut_at):
    secret = "0123456789abcdef"
    body = ("x" * (120 - cut_at) + secret + "y" * 50).encode()
    excerpt = Redactor([secret]).excerpt(body, 120)
    assert "0123" not in excerpt and excerpt.endswith("...")
    assert excerpt.startswith("x" * (120 - cut_at))


def test_longer_forms_are_masked_before_the_secrets_inside_them():
    assert Redactor(["abc", "xabcx"]).text("xabcx abc") == MASK + " " + MASK


def test_errors_are_masked_message_and_details():
    error = redactor(url_username="ops", url_password=PASSWORD).error(
        InputError("checks", ["Basic " + BASIC], "fix it"))
    assert BASIC not in error.msg and PASSWORD not in str(error.details)
    assert error.details["value"] == ["Basic " + MASK]


def test_no_log_values_walks_dicts_lists_and_suboptions():
    spec = dict(a=dict(no_log=True), b=dict(options=dict(c=dict(no_log=True))), d=dict())
    assert sorted(no_log_values(spec, {"a": {"k": "v1", "l": ["v2"]}, "b": [{"c": "v3"}, {"c": None}], "d": "open"})) \
        == ["v1", "v2", "v3"]


def test_header_secrets_ignore_headers_without_credentials():
    assert header_secrets({"Accept": "x", "X-Request-Id": "y", "X-Auth-Token": "t1"}) == ["t1"]
