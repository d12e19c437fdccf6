# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.filter.nginx_first_upstreams import nginx_first_upstreams
from ansible_collections.runbook.ops.plugins.module_utils.nginx import formats

GATEWAY = {"name": "api-gateway-service", "port": 18000, "color_ports": {"blue": 18100, "green": 18200}}
JUDGMENT = {"name": "judgment-service", "port": 18002, "color_ports": {"blue": 18102, "green": 18202}}


def test_the_first_file_routes_every_service_to_the_color_and_records_no_previous():
    text = nginx_first_upstreams([GATEWAY, JUDGMENT], "green", {"upstream_host": "10.0.0.9"}, "2026-01-01T00:00:00Z")
    assert text == ("# runbook.ops color=green previous=none change_id=first-publication at=2026-01-01T00:00:00Z\n"
                    "upstream api-gateway-service {\n    server 10.0.0.9:18200;\n}\n"
                    "upstream judgment-service {\n    server 10.0.0.9:18202;\n}\n")


def test_the_switch_reads_the_first_file_back():
    text = nginx_first_upstreams([GATEWAY], "blue", {}, "2026-01-01T00:00:00Z")
    assert formats.header(text) == dict(color="blue", previous=None, change_id="first-publication",
                                        at="2026-01-01T00:00:00Z")
    assert formats.servers(text) == {"api-gateway-service": "127.0.0.1:18100"}
