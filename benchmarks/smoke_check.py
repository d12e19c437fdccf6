"""smoke_check against the runbook's curl loop and a bare threaded urllib loop (the floor).

10 checks x 20 samples against one demo_app with 20 ms of latency per request, all in this process:
  (a) the runbook's sequential `curl -f` loop, without its sleeps
  (b) a bare ThreadPoolExecutor + urllib loop issuing the same requests (the floor)
  (c) smoke_check's engine (the module's code path, without Ansible's process start)
  (d) the whole module through ansible-playbook (informational: adds Ansible's fixed start-up cost)
Targets: (c) <= 1.3x (b); (a) >= 5x (c).
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import _bench

CHECKS = 10
SAMPLES = 20
CONCURRENCY = 8
LATENCY_MS = 20


def paths():
    return ["/api/echo?check=%d" % number for number in range(CHECKS)]


def curl_loop(base_url):
    for path in paths():
        for _sample in range(SAMPLES):
            subprocess.run(["curl", "-fsS", "-o", "/dev/null", base_url + path], check=True)


def threaded_floor(base_url):
    def fetch(url):
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    urls = [base_url + path for path in paths() for _sample in range(SAMPLES)]
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        assert all(status == 200 for status, _body in pool.map(fetch, urls))


def module_params(base_url):
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    from ansible_collections.runbook.ops.plugins.modules.smoke_check import argument_spec
    params = {"base_url": base_url, "samples": SAMPLES, "concurrency": CONCURRENCY,
              "checks": [{"name": "check %d" % n, "path": path} for n, path in enumerate(paths())]}
    result = ArgumentSpecValidator(argument_spec()).validate(params)
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def engine(params):
    from ansible_collections.runbook.ops.plugins.module_utils.smoke import runner
    result = runner.run(params)
    assert result["overall"]["count"] == CHECKS * SAMPLES and result["success"]


def playbook(base_url, workdir):
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [{
        "runbook.ops.smoke_check": {"base_url": base_url, "samples": SAMPLES, "concurrency": CONCURRENCY,
                                    "checks": [{"path": path} for path in paths()]}}]}]
    path = os.path.join(workdir, "smoke.yml")
    with open(path, "w") as handle:
        json.dump(play, handle)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_bench.COLLECTIONS, ANSIBLE_LOCALHOST_WARNING="false")
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                    "-c", "local",
                    "-e", "ansible_python_interpreter=%s" % sys.executable, path], check=True, env=env, stdout=subprocess.DEVNULL)


def main():
    _bench.use_collection()
    process, base_url = _bench.start_demo_app("--latency-ms", str(LATENCY_MS))
    try:
        params = module_params(base_url)
        with tempfile.TemporaryDirectory() as workdir:
            rows = [
                ("(b) threaded urllib floor", _bench.timed(lambda: threaded_floor(base_url))),
                ("(c) smoke_check engine", _bench.timed(lambda: engine(params))),
                ("(d) smoke_check via ansible-playbook", _bench.timed(lambda: playbook(base_url, workdir))),
                ("(a) runbook curl loop, no sleeps", _bench.timed(lambda: curl_loop(base_url), repeat=1)),
            ]
    finally:
        process.terminate()
        process.wait()
    title = "smoke_check: %d checks x %d samples, concurrency %d, %d ms per request" % (
        CHECKS, SAMPLES, CONCURRENCY, LATENCY_MS)
    _bench.print_table(title, rows, "(b) threaded urllib floor")
    seconds = dict(rows)
    print("  engine vs floor: %.2fx (target <= 1.3x)" % (seconds["(c) smoke_check engine"]
                                                         / seconds["(b) threaded urllib floor"]))
    print("  curl loop vs engine: %.1fx faster (target >= 5x)" % (seconds["(a) runbook curl loop, no sleeps"]
                                                                  / seconds["(c) smoke_check engine"]))
    print("  curl loop vs the whole ansible-playbook run: %.1fx faster" % (
        seconds["(a) runbook curl loop, no sleeps"] / seconds["(d) smoke_check via ansible-playbook"]))


if __name__ == "__main__":
    main()
