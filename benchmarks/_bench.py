"""Shared helpers for the benchmarks: the staged collection on sys.path, demo_app processes, timing."""

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("RUNBOOK_BUILD_DIR", os.path.join(ROOT, ".build"))
COLLECTIONS = os.path.join(BUILD, "collections")
INFRA = os.environ.get("RUNBOOK_INFRA_DIR", os.path.join(BUILD, "infra"))
DEMO_APP = os.path.join(ROOT, "examples", "demo_app", "demo_app.py")


def use_collection():
    """Import ``ansible_collections.runbook.ops`` from the staged copy (``tests/setup.sh`` builds it)."""
    if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "runbook", "ops")):
        sys.exit("stage the collection first: bash tests/run.sh setup")
    sys.path.insert(0, COLLECTIONS)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_demo_app(*args):
    """Start a demo_app on a free loopback port; return (process, base_url) once it answers."""
    port = free_port()
    process = subprocess.Popen([sys.executable, DEMO_APP, "--port", str(port)] + list(args),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = "http://127.0.0.1:%d" % port
    deadline = time.monotonic() + 15
    while True:
        try:
            urllib.request.urlopen(base_url + "/health", timeout=1).read()
            return process, base_url
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)


def timed(function, repeat=3):
    """Median wall time of ``repeat`` calls, in seconds."""
    durations = []
    for _round in range(repeat):
        started = time.perf_counter()
        function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def print_table(title, rows, baseline):
    """Print each row's median seconds and its ratio against the ``baseline`` row's."""
    print(title)
    reference = dict(rows)[baseline]
    for name, seconds in rows:
        print("  %-44s %8.3f s  %6.2fx %s" % (name, seconds, seconds / reference, baseline))
