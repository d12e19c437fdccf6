#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bluegreen_switch
short_description: Switch a group of services between blue and green, all or nothing
version_added: 0.1.0
description:
  - Moves the traffic of every service of a group to the target color as one verified transaction.
    When any step fails, every service already switched is put back and the task fails saying what
    was switched, restored and not restored.
  - O(backend=kubernetes) (also right on OpenShift) - for a Service C(S) the pods of each color carry
    the Service's selector labels plus O(color_label) (Deployments C(S-blue) and C(S-green)). The module
    reads every Service, refuses when a target Deployment is missing, not rolled out, or the target
    selector has fewer ready pods than O(min_ready_endpoints); takes a C(coordination.k8s.io) Lease
    C(runbook-switch-<group>) in the namespace; patches every Service's selector concurrently with its
    resourceVersion as precondition, recording the previous color, change id, time and actor in
    C(runbook.ops/*) annotations; moves C(S-preview), when it exists, to the now idle color; and waits
    until the EndpointSlices of each Service list only target-color pods.
  - O(backend=nginx) - the group's upstreams live in O(upstream_file), rewritten whole, tested with
    O(test_cmd), reloaded with O(reload_cmd) and verified through each service's C(verify_url).
  - Services already on the target color are left alone; a group wholly on it reports C(changed=false).
    A group on mixed colors (after an interrupted switch) is reported with a warning and converged.
author:
  - runbook.ops maintainers (@runbook-ops)
seealso:
  - module: runbook.ops.traffic_shift
    description: Weighted traffic between the colors instead of all at once.
  - module: runbook.ops.smoke_check
    description: Smoke-checks the idle and the live color around the switch.
  - module: runbook.ops.run_lock
    description: The deploy lock a whole run holds around the switch.
  - module: kubernetes.core.k8s
    description: Applies the Deployments and Services this module switches.
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    support: full
    description:
      - Validation runs for real; Kubernetes patches go to the API server as server-side dry runs and no
        Lease is taken; nginx tests a rendered copy, and the lock file next to O(upstream_file) is only
        read (waited for when another switch holds it), never created or written.
  diff_mode:
    support: full
    description: The selectors (Kubernetes) or the upstream file (nginx) before and after.
options:
  services:
    description:
      - The services of the group, each a name or a dict.
      - Kubernetes dict keys - C(name), and C(preview), the name of the preview Service (default C(<name>-preview)).
      - nginx dict keys - C(name) (also the upstream's name unless C(upstream) is given), C(blue) and C(green)
        (C(host:port) of each color's instance), and C(verify_url), a URL answered through nginx for this
        service whose color is read from the C(X-Color) response header, else from the JSON body's C(color).
    type: list
    elements: raw
    required: true
  color:
    description:
      - The target color, or C(previous) for the color recorded by the last switch (annotation
        C(runbook.ops/previous-color) on Kubernetes, the header line of O(upstream_file) on nginx).
    type: str
    required: true
    choices: [blue, green, previous]
  backend:
    description: What routes the traffic.
    type: str
    choices: [kubernetes, nginx]
    default: kubernetes
  group:
    description:
      - Name of the service group, which names the lock. Lower-case letters, digits and C(-).
      - Default a short hash of the sorted service names.
    type: str
  namespace:
    description: Namespace of the Services and Deployments (O(backend=kubernetes)).
    type: str
  color_label:
    description: Label key whose value is the color, in the Service selectors and pod labels.
    type: str
    default: version
  min_ready_endpoints:
    description:
      - Ready pods the target selector must match before the switch. Default all desired replicas of the
        target Deployments (at least one).
    type: int
  lock_timeout:
    description: Seconds to wait for another switch of the same group to finish; 0 fails at once.
    type: int
    default: 0
  verify_timeout:
    description: Seconds to wait for the endpoints (Kubernetes) or the responses (nginx) to show the target color.
    type: int
    default: 60
  change_id:
    description: Identifier recorded with the change; a random uuid4 hex by default.
    type: str
  upstream_file:
    description:
      - O(backend=nginx) - the file holding one C(upstream <name> { server host:port; }) block per service.
        The module owns the file entirely.
    type: path
  test_cmd:
    description: O(backend=nginx) - command that validates nginx's configuration.
    type: str
    default: nginx -t
  reload_cmd:
    description: O(backend=nginx) - command that reloads nginx.
    type: str
    default: nginx -s reload
requirements:
  - kubernetes >= 24.2.0 (O(backend=kubernetes))
notes:
  - A failed Kubernetes API call is reported with its HTTP status and the reason and message of the API server's
    Status, saying what refused it (RBAC, an admission webhook that denied the request or timed out), or with the
    address of an API server that does not answer, or the kubeconfig that does not load and why.
  - A run killed with SIGKILL cannot restore; it leaves the group on mixed colors and its Lease expires
    after O(verify_timeout) plus 60 seconds. Run the switch again to converge the group. SIGTERM and
    interrupts restore before failing.
'''

EXAMPLES = r'''
- name: Switch the BI and chat services to green
  runbook.ops.bluegreen_switch:
    namespace: judgify-prod
    services: [bi-service, chat-service]
    color: green

- name: Roll back to the color of the last switch, waiting up to 2 minutes for a running switch
  runbook.ops.bluegreen_switch:
    namespace: judgify-prod
    services: [bi-service, chat-service]
    color: previous
    lock_timeout: 120

- name: Switch with a preview Service of another name and a lower bar for ready pods
  runbook.ops.bluegreen_switch:
    namespace: judgify-prod
    color_label: app.example.com/color
    min_ready_endpoints: 2
    services:
      - name: api-gateway
        preview: api-gateway-staging

- name: Switch services behind nginx on plain hosts
  runbook.ops.bluegreen_switch:
    backend: nginx
    upstream_file: /etc/nginx/conf.d/judgify-upstreams.conf
    services:
      - name: bi-service
        blue: 127.0.0.1:8081
        green: 127.0.0.1:8082
        verify_url: http://127.0.0.1/bi/version
    color: green
'''

RETURN = r'''
color:
  description: The color the group is on after the run.
  returned: success
  type: str
  sample: green
previous_color:
  description: The color before the run; for a mixed group the most frequent one (on a tie, the first seen).
  returned: success
  type: str
  sample: blue
change_id:
  description: The identifier recorded with the change.
  returned: always
  type: str
  sample: 3f2b6c1e9d8a4f0b8c7e6d5a4b3c2d1e
switched:
  description: Services switched by this run (in check mode, that would be).
  returned: always
  type: list
  elements: str
  sample: [api-gateway, auth-service]
unchanged:
  description: Services already on the target color.
  returned: success
  type: list
  elements: str
  sample: []
restored:
  description: Services put back after a failure.
  returned: always
  type: list
  elements: str
  sample: []
not_restored:
  description: Services that could not be put back, with the reason.
  returned: failure
  type: list
  elements: str
  sample: ["api-gateway: HTTP 403 Forbidden (forbidden by RBAC)"]
mixed_before:
  description: Whether the group was on mixed colors before the run.
  returned: success
  type: bool
  sample: false
services:
  description:
    - Per service - C(name), C(before) and C(after) color, C(changed), and backend details (Kubernetes -
      C(selector_before), C(selector_after), C(preview) when the preview Service was moved).
  returned: success
  type: list
  elements: dict
  sample: [{name: api-gateway, before: blue, after: green, changed: true}]
diff:
  description: Selectors or file before and after, in diff mode.
  returned: when diff mode is on
  type: dict
  sample: {before: {api-gateway: {app.kubernetes.io/name: api-gateway, version: blue}},
           after: {api-gateway: {app.kubernetes.io/name: api-gateway, version: green}}}
elapsed_ms:
  description: Milliseconds spent in the phases (validate, lock, switch, verify, restore) and in total.
  returned: always
  type: dict
  sample: {validate: 12, lock: 31, switch: 48, verify: 1520, total: 1611}
'''

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.runbook.ops.plugins.module_utils.module import run_module
from ansible_collections.runbook.ops.plugins.module_utils.k8s.client import AUTH_ARG_SPEC, HAS_K8S_CORE, ansible_module, build_module


def argument_spec():
    spec = dict(
        services=dict(type='list', elements='raw', required=True),
        color=dict(type='str', required=True, choices=['blue', 'green', 'previous']),
        backend=dict(type='str', choices=['kubernetes', 'nginx'], default='kubernetes'),
        group=dict(type='str'),
        namespace=dict(type='str'),
        color_label=dict(type='str', default='version'),
        min_ready_endpoints=dict(type='int'),
        lock_timeout=dict(type='int', default=0),
        verify_timeout=dict(type='int', default=60),
        change_id=dict(type='str'),
        upstream_file=dict(type='path'),
        test_cmd=dict(type='str', default='nginx -t'),
        reload_cmd=dict(type='str', default='nginx -s reload'),
    )
    spec.update(AUTH_ARG_SPEC)
    return spec


def backend_of(module):
    """The backend's run(); nginx is imported only when asked for."""
    if module.params['backend'] == 'nginx':
        from ansible_collections.runbook.ops.plugins.module_utils.switch import nginx
        return nginx.run
    if not HAS_K8S_CORE:
        module.fail_json(msg=missing_required_lib('kubernetes.core collection'))
    module.requires('kubernetes')
    from ansible_collections.runbook.ops.plugins.module_utils.switch import kubernetes
    return kubernetes.run


def main():
    module = build_module(argument_spec())
    raw = ansible_module(module)
    run_module(raw, lambda timer: backend_of(module)(raw, timer))


if __name__ == '__main__':
    main()
