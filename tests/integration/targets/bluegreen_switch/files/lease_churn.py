# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Other runs that take and give back a group's Lease without pause: each leaves it released
(empty holderIdentity, as client-go's leader election does), then deletes it, for a number of seconds.

  lease_churn.py KUBECONFIG NAMESPACE LEASE SECONDS

Prints JSON: how many Leases were created and deleted.
"""

import datetime
import json
import sys
import time

from kubernetes import client, config
from kubernetes.client.rest import ApiException


def released(name):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": name},
            "spec": {"holderIdentity": "", "leaseDurationSeconds": 600, "renewTime": now}}


def main():
    kubeconfig, namespace, name, seconds = sys.argv[1:5]
    api = client.CoordinationV1Api(config.new_client_from_config(config_file=kubeconfig))
    deadline = time.monotonic() + float(seconds)
    created = deleted = 0
    while time.monotonic() < deadline:
        try:
            api.create_namespaced_lease(namespace, released(name))
            created += 1
        except ApiException as exc:
            if exc.status != 409:
                raise
        try:
            api.delete_namespaced_lease(name, namespace)
            deleted += 1
        except ApiException as exc:
            if exc.status != 404:
                raise
    print(json.dumps({"created": created, "deleted": deleted}))


main()
