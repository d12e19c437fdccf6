#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: nginx_servers
short_description: Put nginx servers in front of a blue-green group's upstreams, publishing its first color
version_added: 0.1.0
description:
  - Writes O(sites_file), one nginx C(server) per service, listening on the service's C(listen) address and
    proxying to the upstream of the same name that M(runbook.ops.bluegreen_switch) keeps in O(upstream_file).
  - A group never published has no O(upstream_file) yet, and no live color to switch from; the module writes
    that file too, routing every service to its O(color) instance. An existing O(upstream_file) is left as
    it is, since only the switch rewrites it.
  - The files written are one change - tested together with O(test_cmd) as part of the whole configuration
    (a copy of it when O(test_cmd) names the main configuration with C(-c) and that file includes the
    directory by absolute path), then reloaded with O(reload_cmd). When nginx rejects them or does not
    reload, every file is put back as it was (a file that did not exist is removed) and the module fails
    with nginx's message.
  - Runs under the group's flock, C(<upstream_file>.lock), the lock of M(runbook.ops.bluegreen_switch),
    so it never writes while a switch of the group is in progress.
author:
  - runbook.ops maintainers (@runbook-ops)
attributes:
  check_mode:
    support: full
    description:
      - Reports the files it would write and has nginx test them; nothing is reloaded, and the lock file is
        only read, never created. The test runs in a copy of the configuration when O(test_cmd) names the
        main configuration with C(-c) and it includes the directory by absolute path; otherwise the
        candidates stand in the live paths for the test only, under the lock, and are put back at once.
  diff_mode:
    support: full
    description: Each file written, before and after.
options:
  services:
    description:
      - The services of the group, as for the nginx backend of M(runbook.ops.bluegreen_switch) (C(name),
        C(upstream), C(blue), C(green), C(verify_url)), each with C(listen), the C(host:port) or port the
        service's server listens on. The filter P(runbook.ops.nginx_switch_services#filter) gives them from the
        inventory model.
    type: list
    elements: dict
    required: true
  color:
    description: The color a group never published starts on.
    type: str
    choices: [blue, green]
    required: true
  upstream_file:
    description: The group's upstream file, as given to M(runbook.ops.bluegreen_switch). Its directory must exist.
    type: path
    required: true
  sites_file:
    description: The file holding the group's servers, in the same directory for the shadow test. The module owns it.
    type: path
    required: true
  test_cmd:
    description: Command that validates nginx's configuration.
    type: str
    default: nginx -t
  reload_cmd:
    description: Command that reloads nginx.
    type: str
    default: nginx -s reload
  lock_timeout:
    description: Seconds to wait for a switch of the same group to finish; 0 fails at once.
    type: int
    default: 0
  change_id:
    description: Identifier written into the lock while it is held; a random uuid4 hex by default.
    type: str
seealso:
  - module: runbook.ops.bluegreen_switch
  - plugin: runbook.ops.nginx_switch_services
    plugin_type: filter
  - name: nginx's ngx_http_upstream_module
    description: The upstream blocks the servers proxy to.
    link: https://nginx.org/en/docs/http/ngx_http_upstream_module.html
'''

EXAMPLES = r'''
- name: Put the servers of the group in front of its upstreams, starting on blue
  runbook.ops.nginx_servers:
    services: "{{ runbook_services | runbook.ops.nginx_switch_services(runbook_nginx) }}"
    color: blue
    upstream_file: /etc/nginx/conf.d/runbook-upstreams.conf
    sites_file: /etc/nginx/conf.d/runbook-sites.conf

- name: Same, with nginx run from its own prefix
  runbook.ops.nginx_servers:
    services:
      - name: judgment-service
        blue: 127.0.0.1:18102
        green: 127.0.0.1:18202
        verify_url: http://127.0.0.1:18002/version
        listen: 127.0.0.1:18002
    color: blue
    upstream_file: /srv/nginx/conf.d/runbook-upstreams.conf
    sites_file: /srv/nginx/conf.d/runbook-sites.conf
    test_cmd: nginx -p /srv/nginx -c /srv/nginx/nginx.conf -t
    reload_cmd: nginx -p /srv/nginx -c /srv/nginx/nginx.conf -s reload
'''

RETURN = r'''
written:
  description: The files written (in check mode, that would be written), the upstream file first.
  returned: success
  type: list
  elements: str
  sample: [/etc/nginx/conf.d/runbook-upstreams.conf, /etc/nginx/conf.d/runbook-sites.conf]
first_publication:
  description: Whether the group had no upstream file and it was written, on O(color).
  returned: success
  type: bool
  sample: true
color:
  description: O(color).
  returned: success
  type: str
  sample: blue
services:
  description: The services of the group, by name.
  returned: success
  type: list
  elements: str
  sample: [api-gateway-service, judgment-service]
upstream_file:
  description: O(upstream_file).
  returned: success
  type: str
  sample: /etc/nginx/conf.d/runbook-upstreams.conf
sites_file:
  description: O(sites_file).
  returned: success
  type: str
  sample: /etc/nginx/conf.d/runbook-sites.conf
diff:
  description: Each file written, before and after, in diff mode.
  returned: when diff mode is on
  type: list
  elements: dict
  sample: [{before_header: /etc/nginx/conf.d/runbook-sites.conf, after_header: /etc/nginx/conf.d/runbook-sites.conf,
            before: "", after: "server {\n    listen 127.0.0.1:18002;\n ..."}]
elapsed_ms:
  description: Milliseconds spent in the phases (validate, lock, reload) and in total.
  returned: always
  type: dict
  sample: {validate: 9, lock: 0, reload: 14, total: 24}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.runbook.ops.plugins.module_utils.module import run_module
from ansible_collections.runbook.ops.plugins.module_utils.switch import nginx_servers


def argument_spec():
    return dict(
        services=dict(type='list', elements='dict', required=True),
        color=dict(type='str', required=True, choices=['blue', 'green']),
        upstream_file=dict(type='path', required=True),
        sites_file=dict(type='path', required=True),
        test_cmd=dict(type='str', default='nginx -t'),
        reload_cmd=dict(type='str', default='nginx -s reload'),
        lock_timeout=dict(type='int', default=0),
        change_id=dict(type='str'),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, lambda timer: nginx_servers.run(module, timer))


if __name__ == '__main__':
    main()
