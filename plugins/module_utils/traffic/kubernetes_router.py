# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Weighted routing objects in Kubernetes: Istio VirtualServices and OpenShift Routes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils.k8s import errors as k8s_errors
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.traffic import shift, weights

KINDS = {
    "istio": ("networking.istio.io/v1", "VirtualService"),
    "openshift_route": ("route.openshift.io/v1", "Route"),
}


class KubernetesRouter(shift.ObjectRouter):
    """Reads, rewrites and restores the routing objects of one namespace, replacing with preconditions."""

    def __init__(self, k8s_client, backend, namespace, params):
        self.client = k8s_client
        self.address = k8s_client.configuration.host
        self.dry_run = k8s_client.dry_run
        self.backend = backend
        self.namespace = namespace
        self.params = params
        api_version, kind = KINDS[backend]
        self.resource = resource(k8s_client, api_version, kind)

    def read(self, name):
        try:
            with k8s_errors.failing_as("Cannot read %s %s in namespace %s" % (self.resource.kind, name, self.namespace),
                                       self.address):
                return self.client.get(self.resource, name=name, namespace=self.namespace).to_dict()
        except k8s_errors.ApiError as exc:
            if exc.status == 404:
                raise RunbookError("%s %s not found in namespace %s" % (self.resource.kind, name, self.namespace))
            raise

    def weight(self, obj, target):
        if self.backend == "istio":
            return weights.istio_weight(obj, self.params["stable_subset"], self.params["canary_subset"])
        return weights.route_weight(obj, target["canary_service"])

    def with_weight(self, obj, target, weight):
        if self.backend == "istio":
            return weights.istio_with_weight(obj, self.params["stable_subset"], self.params["canary_subset"], weight)
        return weights.route_with_weight(obj, target["canary_service"], weight)

    def validate(self, objects):
        if self.backend == "istio":
            check_subsets(self.client, self.namespace, objects.values(), self.params)

    def replace(self, obj):
        """Replace with obj's resourceVersion: a concurrent change makes this fail with 409, not win.

        Raises ApiError whose message is the description alone: the caller names the object.
        """
        with k8s_errors.failing_as(None, self.address):
            return self.client.replace(self.resource, obj, namespace=self.namespace).to_dict()

    def restore(self, before):
        """Put before's spec and annotations back onto the current object."""
        current = self.read(weights.name_of(before))
        current["spec"] = before["spec"]
        current["metadata"]["annotations"] = (before.get("metadata") or {}).get("annotations") or {}
        self.replace(current)


def resource(k8s_client, api_version, kind):
    try:
        with k8s_errors.failing_as("Cannot look up %s %s at %s" % (api_version, kind, k8s_client.configuration.host),
                                   k8s_client.configuration.host):
            return k8s_client.resource(kind, api_version)
    except k8s_errors.ApiError as exc:
        if isinstance(exc.error, k8s_errors.ResourceNotFoundError):
            raise RunbookError("The cluster does not serve %s %s (is its CRD installed?): %s"
                               % (api_version, kind, exc.error))
        raise


def check_subsets(k8s_client, namespace, virtual_services, params):
    """Refuse when a DestinationRule does not define the subsets the weights point at."""
    rules = resource(k8s_client, "networking.istio.io/v1", "DestinationRule")
    with k8s_errors.failing_as("Cannot list DestinationRules in %s" % namespace, k8s_client.configuration.host):
        items = k8s_client.get(rules, namespace=namespace).to_dict().get("items") or []
    subsets_by_host = {}
    for rule in items:
        host = short_host((rule.get("spec") or {}).get("host", ""))
        names = set(s.get("name") for s in (rule.get("spec") or {}).get("subsets") or [])
        subsets_by_host.setdefault(host, set()).update(names)
    wanted = {params["stable_subset"], params["canary_subset"]}
    for service in virtual_services:
        for route in weights.istio_routes(service, params["stable_subset"], params["canary_subset"]):
            for host in set(short_host(d["destination"]["host"]) for d in route):
                missing = wanted - subsets_by_host.get(host, set())
                if missing:
                    raise RunbookError("No DestinationRule in %s defines subset(s) %s for host %s (VirtualService %s)"
                                       % (namespace, ", ".join(sorted(missing)), host, weights.name_of(service)))


def short_host(host):
    return host.split(".")[0]
