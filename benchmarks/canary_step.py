"""The waiting part of a canary step with prod's settings: gates one after the other vs together.

inventories/prod has two canary services (bi-service, chat-interface-service), a step wait of 300 s
and two gates per service: the error rate for 300 s and the p95 for 180 s, both every 30 s. Before
the gates ran together, a step took 300 + 2 x (300 + 180) s = 21 min; together it takes 300 + 300 s.
Both runs here go through ansible-playbook against a real Prometheus scraping two demo_app processes
(the metrics_gate integration target's setup), in this process, with that structure divided in time
by BENCH_SCALE (default 30: a 10 s wait, gates of 10 s and 6 s every 1 s; BENCH_SCALE=1 is prod's):
  (a) sequential: the step's wait as one pause, then one metrics_gate task per service and gate (the
      role's tasks before the change)
  (b) concurrent: the canary role's own observe.yml and gates.yml (one metrics_gate call, async, polled)
Traffic shifts and smoke checks take seconds either way and are left out.
BENCH_ONLY=concurrent runs (b) alone (for a prod-length run, BENCH_SCALE=1). Ansible's fixed cost does
not shrink with the scale, so the prod estimate is the ideal time times the scale plus the overhead
measured. Targets: prod estimate ratio <= 0.5x (ideal 600/1260 = 0.48x); measured ratio <= 0.65x at
the default scale; no silence longer than canary_progress_interval (30 s) at prod's settings.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import _bench

SERVICES = ["bi-service", "chat-interface-service"]
# inventories/prod/group_vars/all/runbook.yml, runbook_canary
PROD = {"step_wait": 300, "progress_interval": 30, "gate_poll": 10, "gates": [
    {"check": {"type": "error_rate", "selector": 'service="{service}",version="{color}"', "window": "5m",
               "threshold": 0.05}, "interval": 30, "duration": 300},
    {"check": {"type": "latency", "selector": 'service="{service}",version="{color}"', "window": "3m",
               "threshold": 2}, "interval": 30, "duration": 180}]}


def scaled(scale, url):
    """prod's step divided in time by ``scale``: waits, intervals, durations and rate windows."""
    gates = []
    for gate in PROD["gates"]:
        window_s = int(gate["check"]["window"][:-1]) * 60
        check = dict(gate["check"], window="%ds" % max(5, window_s // scale))
        gates.append(dict(gate, url=url, check=check, interval=gate["interval"] / scale,
                          duration=gate["duration"] / scale))
    return {"step_wait": max(1, PROD["step_wait"] // scale),
            "progress_interval": max(1, PROD["progress_interval"] // scale),
            "gate_poll": max(1, PROD["gate_poll"] // scale), "gates": gates}


def silence_at_prod(key):
    """The longest a task stays silent with prod's settings: the whole wait or the longest gate before,
    a pause piece or a gate poll after."""
    if key == "sequential":
        return max([PROD["step_wait"]] + [gate["duration"] for gate in PROD["gates"]])
    return max(PROD["progress_interval"], PROD["gate_poll"])


def sequential_play(step):
    """The canary step's wait and gates as the role ran them before the change."""
    return [{"hosts": "localhost", "gather_facts": False, "vars": {"services": SERVICES, "gates": step["gates"]},
             "tasks": [
                 {"name": "Observe the step", "ansible.builtin.pause": {"seconds": step["step_wait"]}},
                 {"name": "Gate the step, one gate after the other", "runbook.ops.metrics_gate": {
                     "url": "{{ pair.1.url }}",
                     "check": "{{ pair.1.check | combine({'selector': pair.1.check.selector"
                              " | replace('{service}', pair.0) | replace('{color}', 'green')}) }}",
                     "interval": "{{ pair.1.interval }}", "duration": "{{ pair.1.duration }}"},
                  "loop": "{{ services | product(gates) | list }}",
                  "loop_control": {"loop_var": "pair", "label": "{{ pair.0 }}"}}]}]


def concurrent_play(step):
    """The canary role's own observation and gates of one step."""
    role_vars = {"runbook_services": [{"name": name, "strategy": "canary"} for name in SERVICES],
                 "canary_new_color": "green", "canary_step": 10, "canary_step_wait": step["step_wait"],
                 "canary_progress_interval": step["progress_interval"], "canary_gate_poll": step["gate_poll"],
                 "canary_metrics_gates": step["gates"]}
    return [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "Observe the step", "ansible.builtin.include_role": {
            "name": "runbook.ops.canary", "tasks_from": "observe.yml"}, "vars": role_vars},
        {"name": "Gate the step, every gate at once", "ansible.builtin.include_role": {
            "name": "runbook.ops.canary", "tasks_from": "gates.yml"}, "vars": role_vars}]}]


def run_playbook(play, workdir, name):
    """Wall seconds of one ansible-playbook run and the longest gap between two lines it printed."""
    path = os.path.join(workdir, name + ".yml")
    with open(path, "w") as handle:
        json.dump(play, handle)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_bench.COLLECTIONS, ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_ASYNC_DIR=os.path.join(workdir, "async"), ANSIBLE_FORCE_COLOR="false")
    started = time.perf_counter()
    process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                                "-i", "localhost,", "-c", "local",
                                "-e", "ansible_python_interpreter=%s" % sys.executable, path],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    last, gap, lines = started, 0.0, []
    for line in process.stdout:
        now = time.perf_counter()
        if line.strip():
            gap, last = max(gap, now - last), now
            lines.append(line)
    if process.wait() != 0:
        sys.exit("%s failed:\n%s" % (name, "".join(lines[-30:])))
    return time.perf_counter() - started, gap


def start_prometheus(workdir, apps):
    port = _bench.free_port()
    config = os.path.join(workdir, "prometheus.yml")
    with open(config, "w") as handle:
        handle.write("global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n")
        for name, base_url in apps.items():
            handle.write("  - job_name: %s\n    static_configs:\n      - targets: ['%s']\n"
                         "        labels: {service: %s, version: green}\n"
                         % (name, base_url.split("://")[1], name))
    process = subprocess.Popen([shutil.which("prometheus") or "prometheus", "--config.file=" + config,
                                "--web.listen-address=127.0.0.1:%d" % port,
                                "--storage.tsdb.path=" + os.path.join(workdir, "tsdb")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, "http://127.0.0.1:%d" % port


def wait_for_rates(url, services):
    query = urllib.parse.urlencode({"query": "count(rate(http_request_duration_seconds_count[5s]) > 0)"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen("%s/api/v1/query?%s" % (url, query), timeout=2) as response:
                result = json.load(response)["data"]["result"]
            if result and int(float(result[0]["value"][1])) >= len(services):
                return
        except OSError:
            pass
        time.sleep(1)
    sys.exit("Prometheus has no request rates of the demo apps after 120 s")


def load(apps, stop_after):
    """Requests to every app in turn, in a child process, so Prometheus has rates to measure."""
    code = ("import sys, time, urllib.request\nend = time.time() + %d\nwhile time.time() < end:\n"
            "    for url in sys.argv[1:]:\n        urllib.request.urlopen(url + '/api/echo', timeout=5).read()\n"
            "    time.sleep(0.05)\n" % stop_after)
    return subprocess.Popen([sys.executable, "-c", code] + list(apps.values()))


def main():
    _bench.use_collection()
    scale = int(os.environ.get("BENCH_SCALE", "30"))
    only = os.environ.get("BENCH_ONLY", "")
    processes = []
    workdir = tempfile.mkdtemp(prefix="bench-canary-")
    try:
        apps = {}
        for name in SERVICES:
            process, base_url = _bench.start_demo_app()
            processes.append(process)
            apps[name] = base_url
        processes.append(load(apps, 4 * 3600))
        prometheus, url = start_prometheus(workdir, apps)
        processes.append(prometheus)
        wait_for_rates(url, SERVICES)
        step = scaled(scale, url)
        # The rate windows need data from before the first measurement.
        time.sleep(min(30, max(5, int(step["gates"][0]["check"]["window"][:-1]))))
        ideal = {"sequential": step["step_wait"] + len(SERVICES) * sum(g["duration"] for g in step["gates"]),
                 "concurrent": step["step_wait"] + max(g["duration"] for g in step["gates"])}
        plays = [("sequential", sequential_play(step)), ("concurrent", concurrent_play(step))]
        rows, gaps = [], {}
        for name, play in plays:
            if only and name != only:
                continue
            seconds, gaps[name] = run_playbook(play, workdir, name)
            rows.append(("%s (%s)" % (name, "one gate after the other" if name == "sequential" else "the role"),
                         seconds))
        print("canary step of inventories/prod (%d services x %d gates), time divided by %d"
              % (len(SERVICES), len(step["gates"]), scale))
        # Ansible's own cost (process start, includes, polls) does not shrink with the scale: the
        # prod estimate scales the ideal time only and adds the overhead measured here.
        for (label, seconds), key in zip(rows, gaps):
            overhead = seconds - ideal[key]
            print("  %-40s %7.1f s (ideal %5.1f s, overhead %4.1f s); prod estimate %5.1f min;"
                  " longest silence %5.1f s (prod up to %5.1f s)"
                  % (label, seconds, ideal[key], overhead, (ideal[key] * scale + overhead) / 60, gaps[key],
                     silence_at_prod(key) if scale > 1 else gaps[key]))
        if not only:
            _bench.print_table("  ratio of wall times:", rows, rows[0][0])
            print("  ideal ratio %.2fx; prod estimate ratio %.2fx" % (
                ideal["concurrent"] / ideal["sequential"],
                (ideal["concurrent"] * scale + rows[1][1] - ideal["concurrent"])
                / (ideal["sequential"] * scale + rows[0][1] - ideal["sequential"])))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
