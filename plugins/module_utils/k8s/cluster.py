# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Services, Deployments, Pods, EndpointSlices and Leases of one namespace, as the switch reads them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.runbook.ops.plugins.module_utils.k8s import client as k8s_client
from ansible_collections.runbook.ops.plugins.module_utils.k8s import errors

MERGE_PATCH = "application/merge-patch+json"
POOL_WORKERS = 8  # stays under the client's default connection pool size


class Cluster:
    """The dynamic client's resources of one namespace, read as plain dicts; every failure an ApiError."""

    KINDS = dict(services=("v1", "Service"), deployments=("apps/v1", "Deployment"), pods=("v1", "Pod"),
                 slices=("discovery.k8s.io/v1", "EndpointSlice"), leases=("coordination.k8s.io/v1", "Lease"))

    def __init__(self, module, namespace):
        k8s = k8s_client.connect(**module.params)
        self.address = k8s.configuration.host
        self.namespace = namespace
        self.kinds = {}
        for kind, (api_version, name) in self.KINDS.items():
            with errors.failing_as("Cannot look up %s %s at %s" % (api_version, name, self.address), self.address):
                self.kinds[kind] = k8s.client.resources.get(api_version=api_version, kind=name)
        self.leases = errors.DescribedResource(self.kinds["leases"], self.address)

    def list(self, kind, **params):
        with errors.failing_as("Cannot list %s in namespace %s" % (kind, self.namespace), self.address):
            found = self.kinds[kind].get(namespace=self.namespace, serializer=plain_json, **params)
        return found.get("items") or []

    def by_name(self, kind):
        return dict((item["metadata"]["name"], item) for item in self.list(kind))

    def services(self, names):
        """The named Services that exist, each read by name.

        Reads by name come from etcd; a list right after a write of ours (the Lease) waits for the
        API server's watch cache to catch up, up to a tenth of a second on a quiet cluster.
        """
        with ThreadPoolExecutor(max_workers=min(POOL_WORKERS, len(names))) as pool:
            found = list(pool.map(self.service, names))
        return dict((name, obj) for name, obj in zip(names, found) if obj is not None)

    def service(self, name):
        try:
            with errors.failing_as("Cannot read Service %s in namespace %s" % (name, self.namespace), self.address):
                return self.kinds["services"].get(name=name, namespace=self.namespace, serializer=plain_json)
        except errors.ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def patch(self, name, body, dry_run=False):
        """Raises ApiError whose message is the description alone: the caller names the Service."""
        extra = {"dry_run": "All"} if dry_run else {}
        with errors.failing_as(None, self.address):
            return self.kinds["services"].patch(body=body, name=name, namespace=self.namespace,
                                                content_type=MERGE_PATCH, serializer=plain_json, **extra)


def plain_json(client, data):
    """Responses stay the decoded JSON: wrapping them as ResourceInstances costs more than the request."""
    return data
