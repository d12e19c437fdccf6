# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a switch and SIGKILL it, module process included, as soon as the first Service of its group
takes the target color.

  kill_switch.py KUBECONFIG NAMESPACE COLOR LABEL MODULE_ARGS_JSON

Prints JSON: the switch's return code and the Services on the target color afterwards.
"""

import json
import os
import signal
import subprocess
import sys
import time

from kubernetes import client, config, watch


def descendants(root):
    """Every process under root, wherever it put itself (Ansible runs modules in their own session)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as stat:
                    parents[int(entry)] = int(stat.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def kill_tree(root):
    for pid in descendants(root) + [root]:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def on_target(service, label, color):
    return (service.spec.selector or {}).get(label) == color


def main():
    kubeconfig, namespace, color, label, module_args = sys.argv[1:6]
    names = json.loads(module_args)["services"]
    api = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    listed = api.list_namespaced_service(namespace)
    switch = subprocess.Popen(["ansible", "localhost", "-m", "runbook.ops.bluegreen_switch", "-a", module_args],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stream = watch.Watch().stream(api.list_namespaced_service, namespace,
                                  resource_version=listed.metadata.resource_version, timeout_seconds=120)
    for event in stream:
        service = event["object"]
        if service.metadata.name in names and on_target(service, label, color):
            kill_tree(switch.pid)
            break
    returncode = switch.wait()
    time.sleep(1)  # patches already sent still land
    services = api.list_namespaced_service(namespace).items
    switched = sorted(s.metadata.name for s in services if s.metadata.name in names and on_target(s, label, color))
    print(json.dumps({"returncode": returncode, "switched": switched}))


main()
