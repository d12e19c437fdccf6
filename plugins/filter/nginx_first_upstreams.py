# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: nginx_first_upstreams
short_description: Render the first upstream file of a blue-green group on nginx
version_added: 0.1.0
description:
  - Renders the upstream file that M(runbook.ops.bluegreen_switch) reads and rewrites, for a group that has
    none yet - every service routed to its O(color) instance, with no previous color to go back to.
  - The file is rendered by the same code as the switch's, so the switch then finds the group already on O(color).
positional: color, nginx, at
options:
  _input:
    description: Services of the inventory model (C(name), C(port), C(color_ports)).
    type: list
    elements: dict
    required: true
  color:
    description: The color the group starts on.
    type: str
    choices: [blue, green]
    required: true
  nginx:
    description: The C(runbook_nginx) settings; C(upstream_host) is where the instances listen (default C(127.0.0.1)).
    type: dict
    required: true
  at:
    description: The time recorded in the header, as C(YYYY-MM-DDTHH:MM:SSZ).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Publish the first color of the group
  ansible.builtin.copy:
    content: "{{ runbook_services | runbook.ops.nginx_first_upstreams('blue', runbook_nginx,
                 now(utc=true).strftime('%Y-%m-%dT%H:%M:%SZ')) }}"
    dest: /etc/nginx/conf.d/runbook-upstreams.conf
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The file's content.
  type: str
  sample: "# runbook.ops color=blue previous=none change_id=first-publication at=2026-01-01T00:00:00Z\n
    upstream api-gateway-service {\n    server 127.0.0.1:18100;\n}\n"
"""

from ansible_collections.runbook.ops.plugins.filter.nginx_switch_services import nginx_switch_services
from ansible_collections.runbook.ops.plugins.module_utils.nginx import formats


def nginx_first_upstreams(services, color, nginx, at):
    specs = [dict(entry, upstream=entry["name"]) for entry in nginx_switch_services(services, nginx)]
    return formats.render_first(specs, color, at)


class FilterModule(object):
    def filters(self):
        return {"nginx_first_upstreams": nginx_first_upstreams}
