# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.runbook.ops.plugins.filter.nginx_canary_weights import nginx_canary_weights
from ansible_collections.runbook.ops.plugins.module_utils.nginx.formats import render_weighted as render

BI = {"name": "bi-service", "color_ports": {"blue": 18107, "green": 18207}}
CHAT = {"name": "chat-interface-service", "color_ports": {"blue": 18108, "green": 18208}}


def upstreams(weight, stable="blue", canary="green"):
    targets = [{"name": s["name"], "stable": "127.0.0.1:%d" % s["color_ports"][stable],
                "canary": "127.0.0.1:%d" % s["color_ports"][canary]} for s in (BI, CHAT)]
    return render(targets, weight, None, "change-1")


@pytest.mark.parametrize("weight", [0, 10, 50, 100])
def test_weights_of_the_file_the_module_writes(weight):
    weights = nginx_canary_weights(upstreams(weight, stable="blue", canary="green"), [BI, CHAT])
    expected = {"blue": 100 - weight, "green": weight}
    assert weights == {"bi-service": expected, "chat-interface-service": expected}


def test_colors_follow_ports_not_the_order_of_servers():
    weights = nginx_canary_weights(upstreams(10, stable="green", canary="blue"), [BI])
    assert weights == {"bi-service": {"green": 90, "blue": 10}}


@pytest.mark.parametrize("text", ["", None, "# nothing here\n"])
def test_no_file_yet_means_no_weights(text):
    assert nginx_canary_weights(text, [BI]) == {"bi-service": {}}


def test_a_service_missing_from_the_file_has_no_weights():
    text = render([{"name": "bi-service", "stable": "127.0.0.1:18107", "canary": "127.0.0.1:18207"}], 10, None, "c")
    assert nginx_canary_weights(text, [BI, CHAT])["chat-interface-service"] == {}


def test_a_port_outside_the_color_ports_is_an_error():
    text = "upstream bi-service {\n    server 127.0.0.1:9999 weight=10;\n}\n"
    with pytest.raises(AnsibleFilterError, match="port 9999"):
        nginx_canary_weights(text, [BI])
