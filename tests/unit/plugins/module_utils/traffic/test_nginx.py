# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.traffic import nginx_router, nginx_upstreams

TARGETS = [{"name": "bi", "stable": "10.0.0.1:80", "canary": "10.0.0.2:80"}]


@pytest.mark.parametrize("weight, stable, canary", [
    (0, "server 10.0.0.1:80 weight=100;", "server 10.0.0.2:80 down;"),
    (10, "server 10.0.0.1:80 weight=90;", "server 10.0.0.2:80 weight=10;"),
    (100, "server 10.0.0.1:80 down;", "server 10.0.0.2:80 weight=100;"),
])
def test_render_has_no_zero_weight(weight, stable, canary):
    text = nginx_upstreams.render(TARGETS, weight, None, "c1")
    assert "    %s\n    %s\n" % (stable, canary) in text
    assert nginx_upstreams.header(text) == (weight, None)


@pytest.mark.parametrize("text, recorded", [
    ("# runbook.ops weight=50 previous=10 change_id=x\n", (50, 10)),
    ("# runbook.ops weight=0 previous=none change_id=x\n", (0, None)),
    ("upstream bi { server a; }\n", (None, None)),
    (None, (None, None)),
])
def test_header(text, recorded):
    assert nginx_upstreams.header(text) == recorded


def test_same_routing_ignores_the_header():
    live = nginx_upstreams.render(TARGETS, 10, 0, "first")
    assert nginx_upstreams.same_routing(live, TARGETS, 10)
    assert not nginx_upstreams.same_routing(live, TARGETS, 50)
    assert not nginx_upstreams.same_routing(None, TARGETS, 10)


@pytest.mark.parametrize("options, text, resolved", [
    ({"weight": 10, "previous": False}, None, (10, None)),
    ({"weight": 50, "previous": False}, "# runbook.ops weight=10 previous=0 change_id=x\n", (50, 10)),
    ({"weight": None, "previous": True}, "# runbook.ops weight=50 previous=10 change_id=x\n", (10, 50)),
])
def test_resolve(options, text, resolved):
    assert nginx_router.resolve(dict(options, upstream_file="f"), text) == resolved


def test_previous_without_a_record_is_refused():
    with pytest.raises(RunbookError, match="records no previous weight"):
        nginx_router.resolve({"weight": None, "previous": True, "upstream_file": "f"}, None)


def test_a_second_shift_of_the_file_is_refused_naming_the_holder(tmp_path):
    path = str(tmp_path / "upstreams.conf.lock")
    held = nginx_router.take_lock(path, 0, "first-change")
    try:
        with pytest.raises(RunbookError, match="change_id=first-change"):
            nginx_router.take_lock(path, 0.3, "second-change")
    finally:
        held.close()
    nginx_router.take_lock(path, 0, "third-change").close()
