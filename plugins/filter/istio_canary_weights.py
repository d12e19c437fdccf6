# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: istio_canary_weights
short_description: Read the share of each subset from the VirtualServices of a canary group
version_added: 0.1.0
description:
  - Tells, for each Istio VirtualService, the percent of traffic its weighted HTTP route sends to each subset
    (the colors, for the canary services of the inventory model). A destination without a weight is the only
    destination of its route and receives 100 %.
  - Routes that name no subset (a plain host route, such as a header match) are ignored; when routes disagree,
    the last weighted route wins, as it is the default route in the runbook's VirtualServices.
options:
  _input:
    description: VirtualService objects, as M(kubernetes.core.k8s_info) returns them.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Tell which color serves each canary service
  ansible.builtin.debug:
    msg: "{{ virtual_services.resources | runbook.ops.istio_canary_weights }}"
"""

RETURN = r"""
_value:
  description: 'VirtualService name to a dict of subset to percent, for example C({"bi-service": {"blue": 100, "green": 0}}).'
  type: dict
  sample: {bi-service: {blue: 90, green: 10}}
"""


def istio_canary_weights(virtual_services):
    return dict((vs["metadata"]["name"], weights_of(vs)) for vs in virtual_services or [])


def weights_of(virtual_service):
    weights = {}
    for http in (virtual_service.get("spec") or {}).get("http") or []:
        route = [d for d in http.get("route") or [] if (d.get("destination") or {}).get("subset")]
        if len(route) > 1 or (route and not http.get("match")):
            weights = dict((d["destination"]["subset"], d.get("weight", 100 if len(route) == 1 else 0))
                           for d in route)
    return weights


class FilterModule(object):
    def filters(self):
        return {"istio_canary_weights": istio_canary_weights}
