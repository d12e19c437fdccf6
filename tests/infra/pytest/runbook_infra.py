"""Session-scoped pytest fixtures for the real test systems of tests/infra.

Each fixture starts its system through tests/infra (a no-op when it already runs, as under
`make test`) and returns its connection settings. Load with `-p runbook_infra` or from a conftest.
"""

import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

INFRA = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
REPO = os.path.abspath(os.path.join(INFRA, "..", ".."))
DEMO_APP = os.path.join(REPO, "examples", "demo_app", "demo_app.py")


def state_root():
    return os.environ.get("RUNBOOK_INFRA_DIR") or os.path.join(REPO, ".build", "infra")


def start_component(name):
    """Start (or reuse) one system and return its settings as a dict."""
    env = dict(os.environ, RUNBOOK_INFRA_DIR=state_root(), RUNBOOK_PYTHON=sys.executable)
    result = subprocess.run(["bash", os.path.join(INFRA, "%s.sh" % name), "start"], env=env,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail("could not start %s:\n%s" % (name, result.stderr[-4000:]))
    return read_env_file(os.path.join(state_root(), name, "env"))


def read_env_file(path):
    settings = {}
    with open(path) as handle:
        for line in handle:
            key, dummy, value = line.rstrip("\n").partition("=")
            settings[key] = " ".join(shlex.split(value))
    return settings


@pytest.fixture(scope="session")
def k8s():
    return start_component("k8s")


@pytest.fixture(scope="session")
def postgres():
    return start_component("postgres")


@pytest.fixture(scope="session")
def s3():
    return start_component("s3")


@pytest.fixture(scope="session")
def nginx():
    return start_component("nginx")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class DemoApps:
    """Start examples/demo_app processes on free loopback ports; all stopped at teardown."""

    def __init__(self):
        self.processes = []

    def start(self, *args, port=None, wait=True):
        port = port or free_port()
        process = subprocess.Popen([sys.executable, DEMO_APP, "--port", str(port)] + list(args),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        url = "http://127.0.0.1:%d" % port
        if wait:
            wait_http(url + "/version")
        return url

    def stop_all(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def demo_apps():
    apps = DemoApps()
    yield apps
    apps.stop_all()
