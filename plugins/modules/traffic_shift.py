#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: traffic_shift
short_description: Shift a group's traffic to a weight on Istio, OpenShift Routes, AWS ALB or nginx, all or nothing
version_added: 0.1.0
description:
  - Sets the share of traffic (O(weight) percent) that every routing object of a group sends to
    the new version - Istio VirtualService route weights between a stable and a canary subset, an
    OpenShift Route's C(spec.to) and C(alternateBackends) weights, or the weights of an AWS ALB
    listener's forward action across two target groups, or nginx upstreams weighted between a stable
    and a canary server.
  - Reads and validates every object first (it exists, it routes to both versions, Istio
    DestinationRules define both subsets) and changes nothing when one is wrong.
  - Each object is replaced with its resourceVersion as a precondition, so a concurrent change fails
    the shift instead of being overwritten. When any object fails, or does not read back with the new
    weight, every object already changed is put back and the task fails saying what was shifted,
    restored and not restored.
  - The weight before the shift and a change id are recorded in annotations (tags of an ALB
    listener), so O(previous) shifts
    back without any memory of the run that made the change. A blue-green switch is a shift to 100;
    a rollback is a shift back.
author:
  - runbook.ops maintainers (@runbook-ops)
seealso:
  - module: runbook.ops.bluegreen_switch
    description: All the traffic of a group at once.
  - module: runbook.ops.metrics_gate
    description: Gates each weight step on Prometheus measurements.
  - module: kubernetes.core.k8s
    description: Manages the VirtualServices and Routes this module reweights.
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - runbook.ops.aws
attributes:
  check_mode:
    support: full
    description:
      - Validation runs for real; on Kubernetes the replacements go to the API server as server-side
        dry runs. The ELBv2 API has no dry run, so for O(backend=alb) nothing is sent after the reads.
        O(backend=nginx) tests the new upstreams and puts the file back; its lock file is only read
        (waited for when another shift holds it), never created or written.
  diff_mode:
    support: full
    description: The weight of each object before and after.
options:
  backend:
    description: What routes the traffic.
    type: str
    required: true
    choices: [istio, openshift_route, alb, nginx]
  targets:
    description:
      - The routing objects of the group - VirtualService or Route names, or dicts with C(name) and,
        for Routes, C(canary_service).
      - For O(backend=alb), dicts with C(name) (the listener ARN), C(stable_target_group) and
        C(canary_target_group) (target group ARNs of its forward action).
      - For O(backend=nginx), dicts with C(name) (the upstream), C(stable) and C(canary)
        (C(host:port) of each version's server).
    type: list
    elements: raw
    required: true
  namespace:
    description: Namespace of the objects (Kubernetes backends).
    type: str
  weight:
    description: Percent of traffic for the new version, 0 to 100. Required unless O(previous=true).
    type: int
  previous:
    description: Shift back to the weight recorded by the last shift of these objects.
    type: bool
    default: false
  stable_subset:
    description: Istio subset of the current version.
    type: str
    default: stable
  canary_subset:
    description: Istio subset of the new version.
    type: str
    default: canary
  canary_service:
    description: Route backend Service of the new version, for targets that do not name their own.
    type: str
  change_id:
    description: Identifier recorded with the change; a random one by default.
    type: str
  upstream_file:
    description:
      - O(backend=nginx) - the file, included by nginx inside C(http {}), that holds the group's
        weighted upstreams. The module owns it; it is replaced whole, so the group changes at once.
    type: path
  test_cmd:
    description: O(backend=nginx) - command that validates nginx's configuration.
    type: str
    default: nginx -t
  reload_cmd:
    description: O(backend=nginx) - command that reloads nginx.
    type: str
    default: nginx -s reload
  lock_timeout:
    description: O(backend=nginx) - seconds to wait for another shift of the same file to finish.
    type: float
    default: 0
requirements:
  - kubernetes (Kubernetes backends)
  - boto3 (O(backend=alb))
'''

EXAMPLES = r'''
- name: Send 10 % of the BI and chat traffic to the canary subsets
  runbook.ops.traffic_shift:
    backend: istio
    namespace: judgify-prod
    targets: [bi-service, chat-service]
    weight: 10

- name: Shift an OpenShift Route all the way (a blue-green switch)
  runbook.ops.traffic_shift:
    backend: openshift_route
    namespace: judgify-prod
    targets:
      - name: api-gateway
        canary_service: api-gateway-green
    weight: 100

- name: "Runbook 3: route the ALB back to the old target group (the rollback is a shift to 0)"
  runbook.ops.traffic_shift:
    backend: alb
    region: ap-northeast-2
    targets:
      - name: "{{ listener_arn }}"
        stable_target_group: "{{ blue_target_group_arn }}"
        canary_target_group: "{{ green_target_group_arn }}"
    weight: 0

- name: Back to where the last shift started
  runbook.ops.traffic_shift:
    backend: istio
    namespace: judgify-prod
    targets: [bi-service, chat-service]
    previous: true
'''

RETURN = r'''
weight:
  description: The weight of the new version after the run.
  returned: success
  type: int
  sample: 50
before:
  description: The weight each object had before the run.
  returned: success
  type: dict
  sample: {bi-service: 0, chat-service: 0}
shifted:
  description: Objects changed by this run (in check mode, that would be).
  returned: always
  type: list
  elements: str
  sample: [bi-service, chat-service]
unchanged:
  description: Objects already at the weight.
  returned: success
  type: list
  elements: str
  sample: []
restored:
  description: Objects put back after a failure.
  returned: failure
  type: list
  elements: str
  sample: [bi-service]
not_restored:
  description: Objects that could not be put back, with the reason.
  returned: failure
  type: list
  elements: str
  sample: ["chat-service: HTTP 409 Conflict"]
change_id:
  description: The identifier recorded in the objects' annotations.
  returned: success
  type: str
  sample: 9a1c2e3f4b5d6e7f8091a2b3c4d5e6f7
elapsed_ms:
  description: Milliseconds spent validating, shifting, verifying and in total.
  returned: always
  type: dict
  sample: {validate: 8, shift: 64, verify: 210, total: 282}
'''

import uuid

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule

from ansible_collections.runbook.ops.plugins.module_utils.aws import options as aws_options
from ansible_collections.runbook.ops.plugins.module_utils.aws.client import HAS_BOTO3
from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.k8s import client as k8s_client
from ansible_collections.runbook.ops.plugins.module_utils.module import run_module
from ansible_collections.runbook.ops.plugins.module_utils.traffic.alb_router import AlbRouter
from ansible_collections.runbook.ops.plugins.module_utils.traffic.kubernetes_router import KubernetesRouter
from ansible_collections.runbook.ops.plugins.module_utils.traffic.nginx_router import NginxRouter


def argument_spec():
    spec = dict(
        backend=dict(type='str', required=True, choices=['istio', 'openshift_route', 'alb', 'nginx']),
        targets=dict(type='list', elements='raw', required=True),
        namespace=dict(type='str'),
        weight=dict(type='int'),
        previous=dict(type='bool', default=False),
        stable_subset=dict(type='str', default='stable'),
        canary_subset=dict(type='str', default='canary'),
        canary_service=dict(type='str'),
        change_id=dict(type='str'),
        upstream_file=dict(type='path'),
        test_cmd=dict(type='str', default='nginx -t'),
        reload_cmd=dict(type='str', default='nginx -s reload'),
        lock_timeout=dict(type='float', default=0),
    )
    spec.update(AUTH_ARG_SPEC)
    spec.update(aws_options.argument_spec())  # for backend=alb
    return spec


def targets_of(params):
    if not params["targets"]:
        raise InputError("targets", params["targets"], "name at least one routing object")
    targets = []
    for target in params["targets"]:
        target = {"name": target} if isinstance(target, str) else dict(target)
        if not target.get("name"):
            raise InputError("targets", target, "each target needs a name")
        required = {"alb": ("stable_target_group", "canary_target_group"), "nginx": ("stable", "canary")}
        missing = [key for key in required.get(params["backend"], ()) if not target.get(key)]
        if missing:
            raise InputError("targets", target, "each %s target needs %s" % (params["backend"], " and ".join(missing)))
        if params["backend"] == "openshift_route":
            target.setdefault("canary_service", params["canary_service"])
            if not target["canary_service"]:
                raise InputError("targets", target, "give canary_service for each Route, or the canary_service option")
        targets.append(target)
    return targets


def check_weight(params):
    if params["previous"]:
        if params["weight"] is not None:
            raise InputError("weight", params["weight"], "give either weight or previous=true, not both")
    elif params["weight"] is None or not 0 <= params["weight"] <= 100:
        raise InputError("weight", params["weight"], "give a percentage from 0 to 100")


def build_router(module, params):
    if params["backend"] == "nginx":
        return NginxRouter(k8s_client.ansible_module(module), params)
    if params["backend"] == "alb":
        if not HAS_BOTO3:
            module.fail_json(msg=missing_required_lib("boto3"))
        return AlbRouter(params, dry_run=module.check_mode)
    if not params["namespace"]:
        raise InputError("namespace", None, "give the namespace of the %s objects" % params["backend"])
    module.requires("kubernetes")
    return KubernetesRouter(k8s_client.connect(module=module), params["backend"], params["namespace"], params)


def execute(module, timer):
    params = dict(module.params, change_id=module.params["change_id"] or uuid.uuid4().hex)
    with timer.phase("validate"):
        check_weight(params)
        targets = targets_of(params)
        router = build_router(module, params)
    result = router.shift(targets, params, timer)
    if not module._diff:
        result.pop("diff")
    return dict(result, elapsed_ms=timer.as_dict())


def main():
    module = AnsibleK8SModule(argument_spec=argument_spec(), supports_check_mode=True, check_k8s=False,
                              check_pyyaml=False)
    run_module(module, lambda timer: execute(module, timer))


if __name__ == '__main__':
    main()
