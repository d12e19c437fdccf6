# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.runbook.ops.plugins.filter.nginx_switch_services import nginx_switch_services

GATEWAY = {"name": "api-gateway-service", "port": 18000, "color_ports": {"blue": 18100, "green": 18200}}


@pytest.mark.parametrize("nginx, expected", [
    ({}, {"name": "api-gateway-service", "blue": "127.0.0.1:18100", "green": "127.0.0.1:18200",
          "verify_url": "http://127.0.0.1:18000/version", "listen": "127.0.0.1:18000"}),
    ({"listen_host": "10.0.0.5", "upstream_host": "10.0.0.9"},
     {"name": "api-gateway-service", "blue": "10.0.0.9:18100", "green": "10.0.0.9:18200",
      "verify_url": "http://10.0.0.5:18000/version", "listen": "10.0.0.5:18000"}),
])
def test_services_become_switch_entries(nginx, expected):
    assert nginx_switch_services([GATEWAY], nginx) == [expected]


@pytest.mark.parametrize("service, message", [
    ({"name": "a", "port": 1}, "lacks color_ports"),
    ({"name": "a", "port": 1, "color_ports": {"blue": 2}}, "needs both blue and green"),
])
def test_incomplete_services_are_named(service, message):
    with pytest.raises(AnsibleFilterError, match=message):
        nginx_switch_services([service])
