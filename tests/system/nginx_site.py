"""The nginx platform of inventories/local stood up under one directory, on free ports of its own.

Tests run its playbooks as a user would (ansible-playbook, the staged collection) and read back what
they left: the reports, the instances' commands and what each service answers on its live port.
"""

import glob
import json
import os
import subprocess
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("RUNBOOK_BUILD_DIR", os.path.join(ROOT, ".build"))
COLLECTION = os.path.join(BUILD, "collections", "ansible_collections", "runbook", "ops")
INSTANCE = os.path.join(ROOT, "roles", "deploy_idle", "files", "instance.sh")
NGINX = os.path.join(ROOT, "tests", "infra", "nginx.sh")


class NginxSite:
    """nginx and the instances a run starts, under ``root``; ``stop()`` stops them all."""

    def __init__(self, root, services=()):
        self.root = str(root)
        self.services = list(services)
        self.env = dict(os.environ, RUNBOOK_DEMO_DIR=self.root, RUNBOOK_INFRA_DIR=os.path.join(self.root, "infra"),
                        RUNBOOK_REPORT_DIR=os.path.join(self.root, "reports"), ANSIBLE_NOCOLOR="1",
                        ANSIBLE_FORCE_COLOR="0", ANSIBLE_COLLECTIONS_PATH=os.path.join(BUILD, "collections"),
                        ANSIBLE_STDOUT_CALLBACK="default", PATH=os.environ["PATH"] + ":/usr/sbin")

    def start(self):
        if not os.path.isdir(COLLECTION):
            raise RuntimeError("no staged collection at %s: run through tests/run.sh" % COLLECTION)
        subprocess.run(["bash", NGINX, "start"], env=self.env, check=True, capture_output=True)

    def stop(self):
        for pidfile in glob.glob(os.path.join(self.root, "instances", "*.pid")):
            subprocess.run(["bash", INSTANCE, "stop", pidfile], check=False, capture_output=True)
        subprocess.run(["bash", NGINX, "stop"], env=self.env, check=False, capture_output=True)

    def write_vars(self, name, data):
        path = os.path.join(self.root, name)
        with open(path, "w") as handle:
            json.dump(data, handle)
        return path

    @staticmethod
    def playbook_command(name, *extra):
        """ansible-playbook of the staged collection's playbook ``name`` against inventories/local."""
        return ["ansible-playbook", "-i", os.path.join(ROOT, "inventories", "local"),
                os.path.join(COLLECTION, "playbooks", name)] + list(extra)

    def playbook(self, name, *extra, timeout=900):
        """``(exit status, output)`` of a playbook run to its end."""
        result = subprocess.run(self.playbook_command(name, *extra), env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, timeout=timeout,
                                check=False)
        return result.returncode, result.stdout

    def reports(self, operation="deploy"):
        """The JSON run reports of ``operation``, oldest first."""
        found = []
        for path in sorted(glob.glob(os.path.join(self.root, "reports", "%s-*.json" % operation))):
            with open(path) as handle:
                found.append(json.load(handle))
        return sorted(found, key=lambda report: report["started"])

    def markdown_reports(self, operation="deploy"):
        texts = []
        for path in sorted(glob.glob(os.path.join(self.root, "reports", "%s-*.md" % operation))):
            with open(path) as handle:
                texts.append(handle.read())
        return texts

    def serving(self, services=None):
        """What each service (default: ``self.services``) answers on its live port: ``{name: {color, release}}``."""
        answers = {}
        for service in self.services if services is None else services:
            url = "http://127.0.0.1:%d/version" % service["port"]
            with urllib.request.urlopen(url, timeout=5) as response:
                answers[service["name"]] = json.loads(response.read())
        return answers
