"""bluegreen_switch against the runbook's kubectl loop, a k8s task per Service, and a bare client.

Switches 10 and then 50 Services between blue and green on the test control plane, alternating so
every run changes every selector. Per group size, in the same run:
  (a) the runbook's sequential `kubectl patch` loop, without its `sleep 30` (also printed with it)
  (b) ansible-playbook with one kubernetes.core.k8s patch task per Service
  (c) a bare Python kubernetes-client script that only patches, in its own process (the floor)
  (m) ansible-playbook with one runbook.ops.bluegreen_switch task: validation, lock, concurrent
      patches with preconditions and endpoint verification
  (s) ansible-playbook with one no-op task: Ansible's own start-up, which (m) and (b) include
  (p) ansible-playbook with one ansible.builtin.ping task: what any module task costs at least
Targets: (m) <= 1.5x (c) at 10 Services, (a) >= 3x (m), (b) >= 5x (m), and (m) growing clearly
slower than linearly from 10 to 50 Services.
The API server is on loopback; BENCH_RTT_MS=N puts a link with an N ms round trip in front of it
(_link.py), as between an AWX node and a cluster's API endpoint.
Needs the test systems (bash tests/infra/infra.sh start) and the staged collection.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

import _bench
import _link

NAMESPACE = "runbook-bench-%d" % os.getpid()
SIZES = (10, 50)
RTT_MS = float(os.environ.get("BENCH_RTT_MS", "0"))


def kubeconfig():
    with open(os.path.join(_bench.INFRA, "vars.json")) as handle:
        test_vars = json.load(handle)
    return test_vars["runbook_test_kubeconfig"], test_vars["runbook_test_kubectl"]


def through_link(config_file, workdir):
    """A copy of the kubeconfig whose server is reached through a DelayedLink of RTT_MS."""
    import yaml
    with open(config_file) as handle:
        config = yaml.safe_load(handle)
    for cluster in config["clusters"]:
        server = urllib.parse.urlsplit(cluster["cluster"]["server"])
        link = _link.DelayedLink(server.hostname, server.port, RTT_MS / 1000.0)
        cluster["cluster"]["server"] = "https://127.0.0.1:%d" % link.port
    path = os.path.join(workdir, "kubeconfig-rtt")
    with open(path, "w") as handle:
        yaml.safe_dump(config, handle)
    return path


def api_clients(config_file):
    from kubernetes import client, config
    api = config.new_client_from_config(config_file=config_file)
    return client.CoreV1Api(api), client.AppsV1Api(api)


def names(count):
    return ["svc-%02d" % number for number in range(count)]


def deployment(name, color):
    labels = {"app.kubernetes.io/name": name, "version": color}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "%s-%s" % (name, color), "labels": labels},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": "app", "image": "registry.invalid/bench:v1"}]}}},
    }


def service(name):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app.kubernetes.io/name": name, "version": "blue"},
                     "ports": [{"port": 80, "targetPort": 8080}]}}


def create_group(core, apps, count):
    from kubernetes.client.rest import ApiException
    try:
        core.create_namespace({"metadata": {"name": NAMESPACE}})
    except ApiException as exc:
        if exc.status != 409:
            raise
    for name in names(count):
        for color in ("blue", "green"):
            create_ignoring_conflict(lambda body: apps.create_namespaced_deployment(NAMESPACE, body),
                                     deployment(name, color))
        create_ignoring_conflict(lambda body: core.create_namespaced_service(NAMESPACE, body), service(name))
    wait_available(apps, 2 * count)


def create_ignoring_conflict(create, body):
    from kubernetes.client.rest import ApiException
    try:
        create(body)
    except ApiException as exc:
        if exc.status != 409:
            raise


def wait_available(apps, expected):
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        items = apps.list_namespaced_deployment(NAMESPACE).items
        if sum(1 for item in items if (item.status.available_replicas or 0) >= 1) >= expected:
            return
        time.sleep(1)
    sys.exit("the benchmark's Deployments did not become available")


def current_color(core):
    return core.read_namespaced_service("svc-00", NAMESPACE).spec.selector["version"]


def other(color):
    return "green" if color == "blue" else "blue"


def kubectl_loop(kubectl, config_file, count, color):
    for name in names(count):
        patch = json.dumps({"spec": {"selector": {"app.kubernetes.io/name": name, "version": color}}})
        subprocess.run([kubectl, "--kubeconfig", config_file, "-n", NAMESPACE, "patch", "service", name,
                        "-p", patch], check=True, stdout=subprocess.DEVNULL)


FLOOR_SCRIPT = """
import sys
from kubernetes import client, config
core = client.CoreV1Api(config.new_client_from_config(config_file=sys.argv[1]))
for name in sys.argv[4:]:
    core.patch_namespaced_service(name, sys.argv[2], {"spec": {"selector": {"version": sys.argv[3]}}})
"""


def bare_client(config_file, count, color):
    subprocess.run([sys.executable, "-c", FLOOR_SCRIPT, config_file, NAMESPACE, color] + names(count), check=True)


def playbook(workdir, config_file, tasks):
    path = os.path.join(workdir, "play.json")
    with open(path, "w") as handle:
        json.dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}], handle)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_bench.COLLECTIONS, K8S_AUTH_KUBECONFIG=config_file)
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                    "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable, path],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def k8s_tasks(count, color):
    return [{"kubernetes.core.k8s": {
        "state": "patched", "api_version": "v1", "kind": "Service", "namespace": NAMESPACE, "name": name,
        "definition": {"spec": {"selector": {"app.kubernetes.io/name": name, "version": color}}}}}
        for name in names(count)]


def switch_task(count, color):
    return [{"runbook.ops.bluegreen_switch": {"services": names(count), "color": color, "namespace": NAMESPACE,
                                              "group": "bench-%d" % count, "verify_timeout": 120}}]


def measure(count, config_file, kubectl, core, workdir):
    """Median seconds of each way, every run switching the group to the other color."""
    def switching(run):
        def step():
            run(other(current_color(core)))
        return step
    return [
        ("(c) bare client script (floor)", _bench.timed(switching(lambda c: bare_client(config_file, count, c)))),
        ("(m) bluegreen_switch via ansible-playbook",
         _bench.timed(switching(lambda c: playbook(workdir, config_file, switch_task(count, c))))),
        ("(a) runbook kubectl loop, no sleeps",
         _bench.timed(switching(lambda c: kubectl_loop(kubectl, config_file, count, c)), repeat=1)),
        ("(b) one kubernetes.core.k8s task per Service",
         _bench.timed(switching(lambda c: playbook(workdir, config_file, k8s_tasks(count, c))), repeat=1)),
        ("(s) ansible-playbook start-up, one no-op task",
         _bench.timed(lambda: playbook(workdir, config_file, [{"ansible.builtin.meta": "noop"}]))),
        ("(p) ansible-playbook, one ping module task",
         _bench.timed(lambda: playbook(workdir, config_file, [{"ansible.builtin.ping": {}}]))),
    ]


def main():
    _bench.use_collection()
    config_file, kubectl = kubeconfig()
    core, apps = api_clients(config_file)
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        measured_config = through_link(config_file, workdir) if RTT_MS else config_file
        link = "%g ms round trip to the API server" % RTT_MS if RTT_MS else "API server on loopback"
        try:
            for count in SIZES:
                create_group(core, apps, count)
                results[count] = dict(measure(count, measured_config, kubectl, core, workdir))
                _bench.print_table("bluegreen_switch: %d Services, %s" % (count, link),
                                   list(results[count].items()), "(c) bare client script (floor)")
        finally:
            core.delete_namespace(NAMESPACE)
    small, large = results[SIZES[0]], results[SIZES[1]]
    module = "(m) bluegreen_switch via ansible-playbook"
    print("  module vs floor at %d: %.2fx (target <= 1.5x)" % (SIZES[0], small[module] / small["(c) bare client script (floor)"]))
    print("  kubectl loop vs module at %d: %.1fx (target >= 3x)" % (SIZES[0], small["(a) runbook kubectl loop, no sleeps"] / small[module]))
    print("  the runbook's loop with its 'sleep 30' before checking vs module at %d: %.1fx" % (
        SIZES[0], (small["(a) runbook kubectl loop, no sleeps"] + 30) / small[module]))
    print("  k8s tasks vs module at %d: %.1fx (target >= 5x)" % (SIZES[0], small["(b) one kubernetes.core.k8s task per Service"] / small[module]))
    startup = small["(s) ansible-playbook start-up, one no-op task"]
    print("  module beyond Ansible's start-up vs floor at %d: %.2fx" % (
        SIZES[0], (small[module] - startup) / small["(c) bare client script (floor)"]))
    print("  a ping module task vs floor at %d: %.2fx (what any module run through ansible-playbook costs at least)" % (
        SIZES[0], small["(p) ansible-playbook, one ping module task"] / small["(c) bare client script (floor)"]))
    print("  module time %d -> %d Services: %.2fx for %.0fx the Services" % (
        SIZES[0], SIZES[1], large[module] / small[module], SIZES[1] / SIZES[0]))


if __name__ == "__main__":
    main()
