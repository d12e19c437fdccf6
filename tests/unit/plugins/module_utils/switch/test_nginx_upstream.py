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


def test_render_then_read_back():
    specs = nginx_upstream.service_specs([A, B])
    text = nginx_upstream.render(specs, "green", "blue", "c1", "2026-01-01T00:00:00Z")
    assert nginx_upstream.header(text) == dict(color="green", previous="blue", change_id="c1",
                                               at="2026-01-01T00:00:00Z")
    assert nginx_upstream.servers(text) == {"a": "10.0.0.2:80", "b_up": "10.0.1.2:80"}
    assert "upstream b_up {\n    server 10.0.1.2:80;\n}\n" in text


@pytest.mark.parametrize("text, recorded", [
    ("# runbook.ops color=blue previous=none change_id=x at=t\n", dict(color="blue", previous=None)),
    ("# runbook.ops color=green previous=blue change_id=x\n", dict(color="green", previous="blue")),
    ("upstream a { server 1.2.3.4:80; }\n", dict(color=None, previous=None)),
    (None, dict(color=None, previous=None)),
])
def test_header(text, recorded):
    found = nginx_upstream.header(text)
    assert dict(color=found["color"], previous=found["previous"]) == recorded


@pytest.mark.parametrize("text, servers", [
    ("upstream a {\n  server 1.1.1.1:80 max_fails=3;\n  server 2.2.2.2:80 backup;\n}\n", {"a": "1.1.1.1:80"}),
    ("upstream a { server 1.1.1.1:80; }\nupstream b {\n}\n", {"a": "1.1.1.1:80", "b": None}),
    ("# upstream c { server x; }\n", {}),
    (None, {}),
])
def test_servers_reads_the_first_server_of_each_upstream(text, servers):
    assert nginx_upstream.servers(text) == servers


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


def test_routing_ignores_comments_and_blank_lines():
    specs = nginx_upstream.service_specs([A])
    first = nginx_upstream.render(specs, "blue", None, "c1", "t1")
    again = nginx_upstream.render(specs, "blue", "green", "c2", "t2") + "\n"
    assert nginx_upstream.routing(first) == nginx_upstream.routing(again)
    assert nginx_upstream.routing(first) != nginx_upstream.routing(nginx_upstream.render(specs, "green", None, "c", "t"))


@pytest.mark.parametrize("argv, found", [
    (["nginx", "-t"], None),
    (["nginx", "-c", "/etc/nginx/nginx.conf", "-t"], (2, "/etc/nginx/nginx.conf")),
    (["nginx", "-p", "/srv/ngx", "-c", "conf/nginx.conf", "-t", "-q"], (4, "/srv/ngx/conf/nginx.conf")),
    (["nginx", "-c", "nginx.conf", "-t"], None),
    (["nginx", "-t", "-c"], None),
])
def test_main_config(argv, found):
    assert nginx_upstream.main_config(argv) == found


@pytest.mark.parametrize("text, moved", [
    ("include /etc/nginx/conf.d/*.conf;", "include /tmp/x/*.conf;"),
    ("include /etc/nginx/conf.d;", "include /tmp/x;"),
    ('include "/etc/nginx/conf.d/a.conf";', 'include "/tmp/x/a.conf";'),
    ("include /etc/nginx/conf.d2/*.conf;", "include /etc/nginx/conf.d2/*.conf;"),
    ("include mime.types;", "include mime.types;"),
])
def test_relocate_moves_whole_directories_only(text, moved):
    assert nginx_upstream.relocate(text, "/etc/nginx/conf.d", "/tmp/x") == moved
    assert nginx_upstream.mentions(text, "/etc/nginx/conf.d") == (text != moved)
