# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.smoke.checks import build_check, build_checks, validate_base_url


@pytest.mark.parametrize("url, expected", [
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000/"),
    ("https://svc.example/prefix/", "https://svc.example/prefix/"),
])
def test_good_base_urls(url, expected):
    assert validate_base_url(url) == expected


@pytest.mark.parametrize("url", ["", "127.0.0.1:8000", "ftp://host/", "http://", "not a url", "http://host:99999"])
def test_bad_base_urls_name_the_option(url):
    with pytest.raises(InputError) as caught:
        validate_base_url(url)
    assert caught.value.details == {"option": "base_url", "value": url}


def test_check_resolves_path_and_encodes_json():
    check = build_check("http://h:1/api/", {"path": "/echo", "method": "post", "json": {"a": 1},
                                            "headers": {"X-Trace": "1"}}, "checks[0]")
    assert check["url"] == "http://h:1/api/echo"
    assert check["method"] == "POST"
    assert check["data"] == b'{"a": 1}'
    assert check["headers"] == {"X-Trace": "1", "Content-Type": "application/json"}
    assert check["name"] == "/echo"
    assert check["status_codes"] == [200]


@pytest.mark.parametrize("spec, option", [
    ({"path": "/x", "method": "TRACE"}, "checks[0].method"),
    ({"path": "/x", "json": {}, "body": "x"}, "checks[0].body"),
    ({"path": "/x", "status_codes": [200, 999]}, "checks[0].status_codes"),
    ({"path": "/x", "body_regex": "("}, "checks[0].body_regex"),
    ({"path": "/x", "assertions": ["ok ~= 1"]}, "checks[0].assertions"),
    ({"path": "/x", "max_latency_ms": -1}, "checks[0].max_latency_ms"),
    ({"path": "ftp://elsewhere/x"}, "checks[0].path"),
])
def test_bad_check_options_fail_clearly(spec, option):
    with pytest.raises(InputError) as caught:
        build_check("http://h:1/", spec, "checks[0]")
    assert caught.value.details["option"] == option


@pytest.mark.parametrize("specs, value", [
    ([], []),
    ([{"name": "a", "path": "/"}, {"name": "a", "path": "/x"}], ["a"]),
])
def test_check_list_needs_unique_names(specs, value):
    with pytest.raises(InputError) as caught:
        build_checks("http://h:1/", specs)
    assert caught.value.details == {"option": "checks", "value": value}
