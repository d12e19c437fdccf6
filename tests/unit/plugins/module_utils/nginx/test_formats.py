# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.nginx import formats
from ansible_collections.runbook.ops.plugins.module_utils.switch import nginx_upstream

A = {"name": "a", "blue": "10.0.0.1:80", "green": "10.0.0.2:80", "verify_url": "http://lb/a/version"}
TARGETS = [{"name": "bi", "stable": "10.0.0.1:80", "canary": "10.0.0.2:80"}]
B = {"name": "b", "upstream": "b_up", "blue": "10.0.1.1:80", "green": "10.0.1.2:80", "verify_url": "https://lb/b"}


def test_render_then_read_back():
    specs = nginx_upstream.service_specs([A, B])
    text = formats.render(specs, "green", "blue", "c1", "2026-01-01T00:00:00Z")
    assert formats.header(text) == dict(color="green", previous="blue", change_id="c1",
                                        at="2026-01-01T00:00:00Z")
    assert formats.servers(text) == {"a": "10.0.0.2:80", "b_up": "10.0.1.2:80"}
    assert "upstream b_up {\n    server 10.0.1.2:80;\n}\n" in text


@pytest.mark.parametrize("text, recorded", [
    ("# runbook.ops color=blue previous=none change_id=x at=t\n", dict(color="blue", previous=None)),
    ("# runbook.ops color=green previous=blue change_id=x\n", dict(color="green", previous="blue")),
    ("upstream a { server 1.2.3.4:80; }\n", dict(color=None, previous=None)),
    (None, dict(color=None, previous=None)),
])
def test_header(text, recorded):
    found = formats.header(text)
    assert dict(color=found["color"], previous=found["previous"]) == recorded


@pytest.mark.parametrize("text, servers", [
    ("upstream a {\n  server 1.1.1.1:80 max_fails=3;\n  server 2.2.2.2:80 backup;\n}\n", {"a": "1.1.1.1:80"}),
    ("upstream a { server 1.1.1.1:80; }\nupstream b {\n}\n", {"a": "1.1.1.1:80", "b": None}),
    ("# upstream c { server x; }\n", {}),
    (None, {}),
])
def test_servers_reads_the_first_server_of_each_upstream(text, servers):
    assert formats.servers(text) == servers


def test_routing_ignores_comments_and_blank_lines():
    specs = nginx_upstream.service_specs([A])
    first = formats.render(specs, "blue", None, "c1", "t1")
    again = formats.render(specs, "blue", "green", "c2", "t2") + "\n"
    assert formats.routing(first) == formats.routing(again)
    assert formats.routing(first) != formats.routing(formats.render(specs, "green", None, "c", "t"))


@pytest.mark.parametrize("weight, stable, canary", [
    (0, "server 10.0.0.1:80 weight=100;", "server 10.0.0.2:80 down;"),
    (10, "server 10.0.0.1:80 weight=90;", "server 10.0.0.2:80 weight=10;"),
    (100, "server 10.0.0.1:80 down;", "server 10.0.0.2:80 weight=100;"),
])
def test_render_has_no_zero_weight(weight, stable, canary):
    text = formats.render_weighted(TARGETS, weight, None, "c1")
    assert "    %s\n    %s\n" % (stable, canary) in text
    assert formats.weighted_header(text) == (weight, None)


@pytest.mark.parametrize("text, recorded", [
    ("# runbook.ops weight=50 previous=10 change_id=x\n", (50, 10)),
    ("# runbook.ops weight=0 previous=none change_id=x\n", (0, None)),
    ("upstream bi { server a; }\n", (None, None)),
    (None, (None, None)),
])
def test_weighted_header(text, recorded):
    assert formats.weighted_header(text) == recorded


def test_same_routing_ignores_the_header():
    live = formats.render_weighted(TARGETS, 10, 0, "first")
    assert formats.same_weighted_routing(live, TARGETS, 10)
    assert not formats.same_weighted_routing(live, TARGETS, 50)
    assert not formats.same_weighted_routing(None, TARGETS, 10)


def test_upstream_body_is_the_first_upstream_of_that_name():
    text = "upstream a {\n    server x:1 weight=90;\n}\nupstream ab {\n    server y:2 down;\n}\nupstream a {\n}\n"
    assert formats.upstream_body(text, "a") == "\n    server x:1 weight=90;\n"
    assert formats.upstream_body(text, "b") == ""
    assert formats.upstream_body(None, "a") == ""


def test_port_weights_reads_down_as_zero():
    text = formats.render_weighted(TARGETS, 100, 10, "c1")
    assert formats.port_weights(formats.upstream_body(text, "bi")) == [("80", 0), ("80", 100)]
