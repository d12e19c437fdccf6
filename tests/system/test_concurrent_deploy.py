"""Two deploys of the nginx platform started at the same moment: one runs, the other changes nothing.

The platform of inventories/local (nginx in front of blue and green demo_app instances, backups of
a PostgreSQL database to a directory) is stood up on free ports under a directory of its own, so the
test runs beside the molecule scenario and the demo, which use the inventory's fixed ports.
"""

import glob
import os
import re
import subprocess
import sys
import time
import uuid

import pytest

from nginx_site import NginxSite
from runbook_infra import free_port

LOCK_REFUSAL = re.compile(r"Another run holds the deploy lock of local: (\S+) since \S+Z, expires \S+Z; "
                          r"nothing was changed")


def services():
    """The services of inventories/local, each on ports of its own."""
    return [
        {"name": "api-gateway-service", "port": free_port(), "tier": "critical", "strategy": "bluegreen",
         "color_ports": {"blue": free_port(), "green": free_port()},
         "checks": [{"name": "echo", "path": "/api/echo?probe=gateway", "status_codes": [200],
                     "assertions": ["success == true"]}]},
        {"name": "judgment-service", "port": free_port(), "tier": "critical", "strategy": "bluegreen",
         "color_ports": {"blue": free_port(), "green": free_port()}},
        {"name": "bi-service", "port": free_port(), "tier": "important", "strategy": "canary",
         "color_ports": {"blue": free_port(), "green": free_port()}},
    ]


class Platform(NginxSite):
    """The nginx site plus a database and the inventory's variables; the database dropped at the end."""

    def __init__(self, root, postgres):
        super(Platform, self).__init__(root)
        self.database = "concurrent_%s" % uuid.uuid4().hex[:8]
        self.env.update((key, postgres[key]) for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD"))
        self.services = services()
        # Fewer smoke samples and canary steps than the inventory's keep the test short.
        self.vars_file = self.write_vars("platform.json", {
            "runbook_services": self.services,
            "runbook_backup": {"database": self.database, "destination": self.root + "/backups/", "keep_days": 7},
            "runbook_canary": {"backend": "nginx", "steps": [50, 100], "step_wait": 1},
            "verify_samples": 10})

    def start(self):
        super(Platform, self).start()
        self.psql("postgres", "CREATE DATABASE %s" % self.database)
        self.psql(self.database, "CREATE TABLE judgments (id bigserial PRIMARY KEY, amount int); "
                                 "INSERT INTO judgments (amount) SELECT g FROM generate_series(1, 500) g")

    def stop(self):
        super(Platform, self).stop()
        self.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.database, check=False)

    def psql(self, database, sql, check=True):
        subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-q", "-d", database, "-c", sql],
                       env=dict(self.env, PGDATABASE=database), check=check, capture_output=True)

    def deploy(self, release, *extra):
        """The deploy, started: two of them run at once."""
        return subprocess.Popen(self.playbook_command("deploy.yml", "-e", "@" + self.vars_file,
                                                      "-e", "runbook_release=%s" % release, *extra),
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, text=True)

    def backups(self):
        return sorted(glob.glob(os.path.join(self.root, "backups", "**", "*.manifest.json"), recursive=True))

    def instance_commands(self):
        """Per instance (service-color), the command of its last start."""
        commands = {}
        for path in glob.glob(os.path.join(self.root, "instances", "*.pid.cmd")):
            with open(path) as handle:
                commands[os.path.basename(path)[:-len(".pid.cmd")]] = handle.read().split("\0")
        return commands


@pytest.fixture
def platform(tmp_path, postgres):
    site = Platform(tmp_path, postgres)
    site.start()
    yield site
    site.stop()


def finish(process):
    output, dummy = process.communicate(timeout=900)
    return process.returncode, output


def recap_changed(output):
    found = re.search(r"^localhost\s+:.*\bchanged=(\d+)", output, re.MULTILINE)
    return int(found.group(1)) if found else None


def test_two_deploys_started_together(platform):
    code, output = finish(platform.deploy("v1", "-e", "runbook_skip_backup=true"))
    assert code == 0, output[-4000:]
    first = dict((name, answer["color"]) for name, answer in platform.serving().items())
    started = platform.instance_commands()

    runs = dict((release, platform.deploy(release)) for release in ("v2", "v3"))
    began = time.monotonic()
    ended = dict((release, finish(process)) for release, process in runs.items())
    elapsed = time.monotonic() - began
    sys.stderr.write("two concurrent deploys took %.0f s\n" % elapsed)

    winners = [release for release, (code, dummy) in ended.items() if code == 0]
    assert len(winners) == 1, "\n\n".join("%s (rc %s):\n%s" % (release, code, output[-6000:])
                                          for release, (code, output) in sorted(ended.items()))
    winner = winners[0]
    loser = "v3" if winner == "v2" else "v2"
    loser_output = ended[loser][1]
    assert "Unknown error" not in loser_output + ended[winner][1]

    reports = dict((report["release"], report) for report in platform.reports() if report["release"] in runs)
    won, lost = reports[winner], reports[loser]
    assert won["outcome"] == "succeeded"
    assert lost["outcome"] == "failed" and lost["failed_phase"] == "preflight", lost
    refusal = LOCK_REFUSAL.search(lost["failure"])
    assert refusal, lost["failure"]
    assert refusal.group(1) == won["lock"]["holder"]
    assert [phase["name"] for phase in lost["phases"]] == ["preflight"]

    # The loser changed nothing: no task of its run changed, it wrote no backup and started no instance.
    assert recap_changed(loser_output) == 0, loser_output[-4000:]
    assert len(platform.backups()) == 1
    assert won["backup_key"] and lost["backup_key"] is None
    commands = platform.instance_commands()
    assert not [name for name, argv in commands.items() if loser in argv], commands
    idle = {"blue": "green", "green": "blue"}[set(first.values()).pop()]
    for service in platform.services:
        name = service["name"]
        assert winner in commands["%s-%s" % (name, idle)], commands
        assert commands["%s-%s" % (name, first[name])] == started["%s-%s" % (name, first[name])]

    # Every service is on one color, serving the winner's release; the lock was given back.
    serving = platform.serving()
    assert set(answer["release"] for answer in serving.values()) == {winner}, serving
    assert set(answer["color"] for answer in serving.values()) == {idle}, serving
    lock_file = os.path.join(platform.root, "infra", "nginx", "conf.d", "runbook-run-local.lock")
    assert not os.path.exists(lock_file)
