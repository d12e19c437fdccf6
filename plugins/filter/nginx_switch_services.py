# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: nginx_switch_services
short_description: Describe services of the inventory model for the nginx backend of bluegreen_switch
version_added: 0.1.0
description:
  - Turns services of the inventory model (C(name), C(port), C(color_ports)) into the O(runbook.ops.bluegreen_switch#module:services)
    entries of its nginx backend - the C(host:port) of the blue and green instances, the URL that
    answers through nginx with the color serving it, and the C(host:port) nginx listens on for the
    service (for M(runbook.ops.nginx_servers)).
positional: nginx
options:
  _input:
    description: Services of the inventory model.
    type: list
    elements: dict
    required: true
  nginx:
    description:
      - The C(runbook_nginx) settings. C(upstream_host) is where the instances listen (default
        C(127.0.0.1)), C(listen_host) where nginx listens (default C(127.0.0.1)).
    type: dict
    default: {}
  verify_path:
    description: Path that answers with the color serving it.
    type: str
    default: /version
"""

EXAMPLES = r"""
- name: Switch the group on nginx
  runbook.ops.bluegreen_switch:
    backend: nginx
    color: green
    services: "{{ runbook_services | runbook.ops.nginx_switch_services(runbook_nginx) }}"
    upstream_file: /etc/nginx/conf.d/runbook-upstreams.conf
"""

RETURN = r"""
_value:
  description: One entry per service.
  type: list
  elements: dict
  sample:
    - name: api-gateway-service
      blue: '127.0.0.1:18100'
      green: '127.0.0.1:18200'
      verify_url: 'http://127.0.0.1:18000/version'
      listen: '127.0.0.1:18000'
    - name: judgment-service
      blue: '127.0.0.1:18102'
      green: '127.0.0.1:18202'
      verify_url: 'http://127.0.0.1:18002/version'
      listen: '127.0.0.1:18002'
  contains:
    name:
      description: Service and upstream name.
      type: str
      sample: judgment-service
    blue:
      description: C(host:port) of the blue instance.
      type: str
      sample: '127.0.0.1:18102'
    green:
      description: C(host:port) of the green instance.
      type: str
      sample: '127.0.0.1:18202'
    verify_url:
      description: URL through nginx that tells the color serving it.
      type: str
      sample: 'http://127.0.0.1:18002/version'
    listen:
      description: C(host:port) nginx listens on for the service.
      type: str
      sample: '127.0.0.1:18002'
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.runbook.ops.plugins.module_utils.colors import COLORS


def nginx_switch_services(services, nginx=None, verify_path="/version"):
    nginx = nginx or {}
    return [describe(service, nginx, verify_path) for service in services]


def describe(service, nginx, verify_path):
    missing = [key for key in ("name", "port", "color_ports") if key not in service]
    if missing:
        raise AnsibleFilterError("service %r lacks %s" % (service.get("name", service), ", ".join(missing)))
    ports = service["color_ports"]
    if not all(color in ports for color in COLORS):
        raise AnsibleFilterError("service %s: color_ports needs both blue and green" % service["name"])
    upstream_host = nginx.get("upstream_host", "127.0.0.1")
    listen = "%s:%s" % (nginx.get("listen_host", "127.0.0.1"), service["port"])
    return {
        "name": service["name"],
        "blue": "%s:%s" % (upstream_host, ports["blue"]),
        "green": "%s:%s" % (upstream_host, ports["green"]),
        "verify_url": "http://%s%s" % (listen, verify_path),
        "listen": listen,
    }


class FilterModule(object):
    def filters(self):
        return {"nginx_switch_services": nginx_switch_services}
