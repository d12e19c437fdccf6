# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Another writer: annotate one Service as fast as the API server allows, for a number of seconds.

  hammer.py KUBECONFIG NAMESPACE SERVICE SECONDS

Prints JSON: how many writes landed.
"""

import json
import sys
import time

from kubernetes import client, config


def main():
    kubeconfig, namespace, name, seconds = sys.argv[1:5]
    api = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    deadline = time.monotonic() + float(seconds)
    writes = 0
    while time.monotonic() < deadline:
        api.patch_namespaced_service(name, namespace, {"metadata": {"annotations": {"test/writes": str(writes)}}})
        writes += 1
    print(json.dumps({"writes": writes}))


main()
