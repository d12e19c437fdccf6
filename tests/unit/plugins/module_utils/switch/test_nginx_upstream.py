# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.switch import nginx_upstream

A = {"name": "a", "blue": "10.0.0.1:80", "green": "10.0.0.2:80", "verify_url": "http://lb/a/version"}
B = {"name": "b", "upstream": "b_up", "blue": "10.0.1.1:80", "green": "10.0.1.2:80", "verify_url": "https://lb/b"}


@pytest.mark.parametrize("services, option, fix", [
    ([], "services", "at least one"),
    (["a"], "services[0]", "needs a dict"),
    ([dict(A, blue=None)], "services[0].blue", "set blue"),
    ([dict(A, green="")], "services[0].green", "set green"),
    ([dict(A, verify_url=None)], "services[0].verify_url", "set verify_url"),
    ([dict(A, name=5)], "services[0].name", "set name"),
    ([A, dict(A, blue="x; }")], "services[1].blue", "no spaces"),
    ([dict(A, upstream="a{")], "services[0].upstream", "no spaces"),
    ([dict(A, green=A["blue"])], "services[0].green", "must be different"),
    ([dict(A, verify_url="lb/a")], "services[0].verify_url", "http://"),
    ([A, dict(B, upstream="a")], "services", "its own upstream"),
])
def test_bad_services_are_refused_by_option(services, option, fix):
    with pytest.raises(InputError) as caught:
        nginx_upstream.service_specs(services)
    assert caught.value.details["option"] == option
    assert fix in caught.value.msg


def test_service_specs_default_the_upstream_to_the_name():
    specs = nginx_upstream.service_specs([A, B])
    assert [spec["upstream"] for spec in specs] == ["a", "b_up"]


@pytest.mark.parametrize("address, color", [("10.0.0.1:80", "blue"), ("10.0.0.2:80", "green"),
                                            ("10.0.0.3:80", None), (None, None)])
def test_color_of(address, color):
    assert nginx_upstream.color_of(A, address) == color


@pytest.mark.parametrize("colors, group", [
    ([], None), ([None, None], None), (["blue"], "blue"), (["green", "blue", "blue"], "blue"),
    (["green", "blue"], "green"), ([None, "blue", "green"], "blue"),
])
def test_group_color_is_the_majority_then_the_first_seen(colors, group):
    assert nginx_upstream.group_color(colors) == group
