# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: nginx_canary_weights
short_description: Read the share of each color from the weighted upstream file of a canary group
version_added: 0.1.0
description:
  - Parses the upstream file that M(runbook.ops.traffic_shift) writes for O(runbook.ops.traffic_shift#module:backend=nginx)
    and tells, for each service of the inventory model, the percent of its traffic each color receives.
  - A server marked C(down) receives 0 %. The color of a server is found from its port in the service's C(color_ports).
  - A service without an upstream in the file (or an empty file, before the first publication) maps to an empty dict.
positional: services
options:
  _input:
    description: Content of the upstream file; empty when it does not exist yet.
    type: str
    required: true
  services:
    description: Services of the inventory model (C(name), C(color_ports)).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Tell which color serves the canary services
  ansible.builtin.debug:
    msg: "{{ lookup('ansible.builtin.file', '/etc/nginx/conf.d/runbook-canary-upstreams.conf')
             | runbook.ops.nginx_canary_weights(runbook_services | selectattr('strategy', 'equalto', 'canary')) }}"
"""

RETURN = r"""
_value:
  description: 'Service name to a dict of color to percent, for example C({"bi-service": {"blue": 90, "green": 10}}).'
  type: dict
  sample: {bi-service: {blue: 90, green: 10}, chat-interface-service: {blue: 90, green: 10}}
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.runbook.ops.plugins.module_utils.nginx import formats


def nginx_canary_weights(text, services):
    return dict((service["name"], weights_of(service, formats.upstream_body(text, service["name"])))
                for service in services)


def weights_of(service, block):
    colors = dict((str(port), color) for color, port in (service.get("color_ports") or {}).items())
    weights = {}
    for port, weight in formats.port_weights(block):
        if port not in colors:
            raise AnsibleFilterError("upstream %s routes to port %s, which is not in the color_ports of the service"
                                     % (service["name"], port))
        weights[colors[port]] = weight
    return weights


class FilterModule(object):
    def filters(self):
        return {"nginx_canary_weights": nginx_canary_weights}
