"""`make demo` and `make test`, and two test runs, side by side in one checkout.

- The demo and the molecule scenario `local` run inventories/local on port ranges of their own, so
  a demo left running does not hold the scenario's ports; a demo finding its ports taken says so.
- Test runs share the test systems of one RUNBOOK_INFRA_DIR as users (tests/infra/infra.sh acquire
  and release): the last live user stops what users started, and nothing that was up before.
  Shown on a real nginx under a directory of this test, with short-lived processes as users.
- A run finding its build dir held by another live run builds in a run dir of its own: two
  narrow `tests/run.sh units` at once, while this test holds the build dir.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("RUNBOOK_BUILD_DIR", os.path.join(ROOT, ".build"))
INFRA = os.path.join(ROOT, "tests", "infra", "infra.sh")
DEMO = os.path.join(ROOT, "examples", "demo.sh")
OFFSETS = {0, 2, 7, 90, 100, 102, 107, 200, 202, 207}
PORTS_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.copy:
        dest: "{{ out }}"
        mode: "0644"
        content: >-
          {{ (runbook_services | map(attribute='port') | list
              + runbook_services | map(attribute='color_ports') | map('dict2items') | flatten
                | map(attribute='value') | list
              + [runbook_local_prometheus_port]) | to_json }}
"""


def proc_start(pid):
    with open("/proc/%d/stat" % pid) as handle:
        return handle.read().rpartition(")")[2].split()[19]


def local_ports(tmp_path, base):
    """The ports inventories/local gives its platform with RUNBOOK_LOCAL_PORT_BASE=base (None: unset)."""
    playbook = tmp_path / "ports.yml"
    playbook.write_text(PORTS_PLAYBOOK)
    out = tmp_path / ("ports-%s.json" % base)
    env = dict((key, value) for key, value in os.environ.items() if key != "RUNBOOK_LOCAL_PORT_BASE")
    if base is not None:
        env["RUNBOOK_LOCAL_PORT_BASE"] = str(base)
    env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(BUILD, "collections"), ANSIBLE_NOCOLOR="1")
    run = subprocess.run(["ansible-playbook", "-i", os.path.join(ROOT, "inventories", "local"), str(playbook),
                          "-e", "out=%s" % out], env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return sorted(json.loads(out.read_text()))


def test_demo_and_molecule_local_use_port_ranges_of_their_own(tmp_path):
    with open(os.path.join(ROOT, "extensions", "molecule", "local", "molecule.yml")) as handle:
        env = yaml.safe_load(handle)["ansible"]["env"]
    match = re.fullmatch(r"\$\{RUNBOOK_MOLECULE_PORT_BASE:-(\d+)\}", env["RUNBOOK_LOCAL_PORT_BASE"])
    assert match, env
    molecule_base = int(match.group(1))

    demo = local_ports(tmp_path, None)
    scenario = local_ports(tmp_path, molecule_base)
    assert demo == sorted(18000 + offset for offset in OFFSETS)
    assert scenario == sorted(molecule_base + offset for offset in OFFSETS)
    assert not set(demo) & set(scenario)
    # Neither range lies where the kernel hands out ephemeral ports (free_port() of the test systems).
    with open("/proc/sys/net/ipv4/ip_local_port_range") as handle:
        low = int(handle.read().split()[0])
    assert max(demo + scenario) < low


def test_demo_refuses_ports_another_platform_holds(tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        base = listener.getsockname()[1]
        env = dict(os.environ, RUNBOOK_DEMO_DIR=str(tmp_path / "demo"), RUNBOOK_LOCAL_PORT_BASE=str(base),
                   RUNBOOK_VENV=sys.prefix)
        run = subprocess.run(["bash", DEMO, "up"], env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "ports %d are in use by something other than this demo" % base in run.stderr
    # Nothing was started: no PostgreSQL or nginx of the demo.
    assert not (tmp_path / "demo" / "infra" / "postgres" / "env").exists()
    assert not (tmp_path / "demo" / "infra" / "nginx" / "env").exists()


class Infra:
    """tests/infra/infra.sh on a directory of this test, with nginx as the shared system."""

    def __init__(self, root):
        self.env = dict(os.environ, RUNBOOK_INFRA_DIR=str(root), PATH=os.environ["PATH"] + ":/usr/sbin")
        self.root = root
        self.users = []

    def __call__(self, *args):
        return subprocess.run(["bash", INFRA] + [str(arg) for arg in args], env=self.env, capture_output=True,
                              text=True, check=False)

    def user(self):
        process = subprocess.Popen(["sleep", "600"])
        self.users.append(process)
        return process

    def running(self):
        return self("status", "nginx").returncode == 0

    def live_users(self):
        return sorted(int(line) for line in self("users").stdout.split())

    def cleanup(self):
        for process in self.users:
            process.kill()
            process.wait()
        self("stop", "nginx")


@pytest.fixture
def infra(tmp_path):
    shared = Infra(tmp_path / "infra")
    yield shared
    shared.cleanup()


def test_the_last_user_stops_what_users_started(infra):
    first, second = infra.user(), infra.user()
    acquired = infra("acquire", first.pid, "nginx")
    assert acquired.returncode == 0, acquired.stderr
    assert infra.running()
    assert (infra.root / "users" / "started").read_text() == "nginx\n"
    assert infra("acquire", second.pid, "nginx").returncode == 0
    assert infra.live_users() == sorted([first.pid, second.pid])

    released = infra("release", first.pid)
    assert released.returncode == 0, released.stderr
    assert "left running for %d" % second.pid in released.stderr
    assert infra.running()

    released = infra("release", second.pid)
    assert "was the last; stopping what users started: nginx" in released.stderr
    assert not infra.running()
    assert not (infra.root / "users" / "started").exists()
    assert infra.live_users() == []


def test_users_whose_process_is_gone_hold_nothing(infra):
    gone, last = infra.user(), infra.user()
    assert infra("acquire", gone.pid, "nginx").returncode == 0
    assert infra("acquire", last.pid, "nginx").returncode == 0
    gone.send_signal(signal.SIGKILL)
    gone.wait()
    # A user file naming a live process that started at another time: the pid was reused.
    (infra.root / "users" / str(os.getpid())).write_text("1\n")
    assert infra.live_users() == [last.pid]
    released = infra("release", last.pid)
    assert "was the last" in released.stderr, released.stderr
    assert not infra.running()


def test_systems_up_before_any_user_stay_up(infra):
    assert infra("start", "nginx").returncode == 0
    user = infra.user()
    assert infra("acquire", user.pid, "nginx").returncode == 0
    assert not (infra.root / "users" / "started").exists()
    released = infra("release", user.pid)
    assert "the systems were up before any user, left running" in released.stderr
    assert infra.running()


def test_acquire_needs_a_live_process(infra):
    dead = infra.user()
    dead.kill()
    dead.wait()
    run = infra("acquire", dead.pid, "nginx")
    assert run.returncode != 0
    assert "acquire: no process %d" % dead.pid in run.stderr
    assert not infra.running()
    assert infra("acquire", "me", "nginx").returncode == 2
    # Releasing a pid that never acquired changes nothing.
    assert infra("release", dead.pid).returncode == 0


def claim(build, *script):
    """Source tests/setup.sh with RUNBOOK_BUILD_DIR=build and run script after claim_build_dir."""
    env = dict(os.environ, RUNBOOK_BUILD_DIR=str(build), RUNBOOK_VENV=sys.prefix)
    return subprocess.run(["bash", "-c", ". tests/setup.sh && claim_build_dir && " + " && ".join(script)],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def test_two_runs_in_one_build_dir_build_apart(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    # This test holds the build dir, as a run in progress does.
    (build / ".run.pid").write_text("%d %s\n" % (os.getpid(), proc_start(os.getpid())))
    env = dict(os.environ, RUNBOOK_BUILD_DIR=str(build), RUNBOOK_VENV=sys.prefix,
               RUNBOOK_INFRA_DIR=str(tmp_path / "infra"),
               RUNBOOK_UNIT_TESTS="tests/unit/plugins/filter/test_nginx_canary_weights.py")
    command = ["bash", os.path.join(ROOT, "tests", "run.sh"), "units"]
    runs = [subprocess.Popen(command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for dummy in range(2)]
    outputs = [run.communicate()[0] for run in runs]
    dirs = []
    for run, output in zip(runs, outputs):
        assert run.returncode == 0, output[-4000:]
        assert re.search(r"units +ok", output), output[-2000:]
        held = r"build dir %s is in use by run %d; this run builds in (\S+)" % (re.escape(str(build)), os.getpid())
        match = re.search(held, output)
        assert match, output[:3000]
        dirs.append(match.group(1))
    assert dirs == [str(build / "runs" / str(run.pid)) for run in runs]
    for run_dir in dirs:
        staged = os.path.join(run_dir, "collections", "ansible_collections", "runbook", "ops")
        assert os.path.isfile(os.path.join(staged, "tests", "output", "junit", "python3.11-controller-units.xml"))
        assert not os.path.exists(os.path.join(run_dir, ".run.pid"))
    # Units need no test systems: none were acquired.
    assert not (tmp_path / "infra" / "users").exists()
    assert (build / ".run.pid").read_text().split()[0] == str(os.getpid())

    # Released, the build dir goes to the next run, which removes the run dirs of runs that are gone.
    (build / ".run.pid").unlink()
    taken = claim(build, 'echo "$BUILD $ANSIBLE_COLLECTIONS_PATH"', "release_build_dir")
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.split() == [str(build), str(build / "collections")]
    assert "in use" not in taken.stderr
    assert os.listdir(build / "runs") == []
    assert not (build / ".run.pid").exists()


def test_a_claim_of_a_run_that_is_gone_is_taken_over(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    gone = subprocess.Popen(["true"])
    gone.wait()
    (build / ".run.pid").write_text("%d 1\n" % gone.pid)
    taken = claim(build, 'echo "$BUILD"', 'cut -d" " -f1 "$BUILD/.run.pid"', 'echo "$$"')
    assert taken.returncode == 0, taken.stderr
    lines = taken.stdout.split()
    assert lines[0] == str(build)
    assert lines[1] == lines[2]
