"""The playbooks as AWX runs them: ansible-runner over a private data dir, on both platforms.

AWX starts every job with ansible-runner on a private data dir it writes: ``project/`` (the project's
checkout, here the staged collection tree), ``requirements_collections/`` (what the project sync installed
from ``collections/requirements.yml``: runbook.ops from the checkout itself; kubernetes.core comes with the
``ansible`` package, as in the execution environment), ``inventory/hosts`` (a script printing the imported
inventory as JSON), ``env/extravars`` (survey answers and the ``awx_*`` variables), ``env/envvars`` (what
the credentials inject: for a Kubernetes bearer token credential ``K8S_AUTH_HOST``, ``K8S_AUTH_API_KEY``,
``K8S_AUTH_VERIFY_SSL`` and ``K8S_AUTH_SSL_CA_CERT``, a file of the CA written into the private data dir),
``env/settings`` (timeouts) and ``env/cmdline`` (``--check`` for a Check job, ``--diff``). The jobs run
with an environment of only that: no kubeconfig (``KUBECONFIG`` names a file that does not exist, so a
module that fell back to one would fail), no PostgreSQL or nginx settings of the test run.

Each platform is one private data dir whose jobs run in order (deploy v1, deploy v2, smoke, a Check job
of smoke, rollback, a prod run without a workflow approval); the tests assert on the jobs' status, rc,
events and the ``runbook_report`` artifact that ``set_stats`` publishes (runner gives it as the
``artifact_data`` of the ``playbook_on_stats`` event, where AWX takes a job's artifacts from).
The nginx platform runs on free ports and a nginx of its own, so it never meets the fixed ports of
inventories/local (the demo, molecule's ``local``); the Kubernetes one in a namespace of its own.
"""

import contextlib
import glob
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import urllib.request
import uuid

import kubernetes
import pytest
import yaml

from runbook_infra import free_port

ansible_runner = pytest.importorskip("ansible_runner")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("RUNBOOK_BUILD_DIR", os.path.join(ROOT, ".build"))
COLLECTION = os.path.join(BUILD, "collections", "ansible_collections", "runbook", "ops")
BIN = os.path.dirname(sys.executable)
INSTANCE = os.path.join(ROOT, "roles", "deploy_idle", "files", "instance.sh")
NGINX = os.path.join(ROOT, "tests", "infra", "nginx.sh")
DEMO_APP = os.path.join(ROOT, "examples", "demo_app", "demo_app.py")
# A job that waited for an answer (a pause) would end 'timeout' after idle_timeout instead of 'failed'.
SETTINGS = {"idle_timeout": 300, "job_timeout": 1800, "pexpect_timeout": 5}
# What an AWX job template launched by jdoe from its survey puts into the extra vars.
AWX_VARS = {"awx_job_id": 4711, "awx_job_launch_type": "manual", "awx_user_name": "jdoe",
            "awx_job_template_name": "runner test", "tower_job_id": 4711, "tower_user_name": "jdoe"}
WORKFLOW_REFUSAL = ("prod runs only as a node of an AWX workflow behind an approval node (runbook_require_workflow=true), "
                    "and this run is not part of a workflow job (awx_workflow_job_id is not set), so nothing was changed")
PROD_APPROVAL = dict((key, value) for key, value in yaml.safe_load(
    open(os.path.join(ROOT, "inventories", "prod", "group_vars", "all", "runbook.yml"))).items()
    if key in ("runbook_require_approval", "runbook_require_workflow"))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The project checkout and the collections its sync installs from collections/requirements.yml."""
    if not os.path.isdir(COLLECTION):
        pytest.fail("no staged collection at %s: run through tests/run.sh" % COLLECTION)
    base = tmp_path_factory.mktemp("awx-project")
    checkout = base / "project"
    shutil.copytree(COLLECTION, str(checkout), symlinks=True,
                    ignore=shutil.ignore_patterns(".git", "output", "__pycache__", "reports"))
    with open(os.path.join(ROOT, "collections", "requirements.yml")) as handle:
        own = [entry for entry in yaml.safe_load(handle)["collections"] if entry["name"] == "runbook.ops"]
    requirements = base / "requirements.yml"
    requirements.write_text(yaml.safe_dump({"collections": own}))
    collections = base / "requirements_collections"
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith("ANSIBLE_COLLECTIONS_PATH"))
    result = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "-r",
                             str(requirements), "--collections-path", str(collections)],
                            cwd=str(checkout), env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return str(checkout), str(collections)


def inventory_script(path, hostvars, group_vars):
    """inventory/hosts as AWX writes it: a script that prints the imported inventory as JSON."""
    data = {"all": {"hosts": sorted(hostvars), "vars": group_vars}, "_meta": {"hostvars": hostvars}}
    with open(path, "w") as handle:
        handle.write("#!/usr/bin/env python3\nimport sys\nsys.stdout.write(%r)\n" % json.dumps(data))
    os.chmod(path, 0o700)


@contextlib.contextmanager
def only_environ(env):
    """The process environment is ``env`` alone while runner prepares and runs a job."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class Job:
    def __init__(self, runner, private_data_dir):
        self.runner = runner
        self.status, self.rc = runner.status, runner.rc
        self.artifact_dir = runner.config.artifact_dir
        self.events = list(runner.events)
        self.project = os.path.join(private_data_dir, "project")
        with open(os.path.join(self.artifact_dir, "stdout"), errors="replace") as handle:
            self.stdout = handle.read()

    def __repr__(self):
        return "job %s: %s rc %s\n%s" % (os.path.basename(self.artifact_dir), self.status, self.rc, self.stdout[-6000:])

    @property
    def stats(self):
        found = [event["event_data"] for event in self.events if event.get("event") == "playbook_on_stats"]
        assert len(found) == 1, self
        return found[0]

    @property
    def report(self):
        """The artifacts AWX shows for the job: set_stats' runbook_report."""
        return self.stats["artifact_data"]["runbook_report"]

    def report_file(self, kind="json"):
        path = self.report["reports"][kind]
        path = path if os.path.isabs(path) else os.path.join(self.project, path)
        with open(path) as handle:
            return json.load(handle) if kind == "json" else handle.read()

    def changed(self):
        return sum(self.stats["changed"].values())


class AwxJobs:
    """One private data dir of a platform; each job writes its extra vars and runs under an ident of its own."""

    def __init__(self, root, project, hostvars, group_vars, envvars):
        self.root = str(root)
        checkout, collections = project
        shutil.copytree(checkout, os.path.join(self.root, "project"), symlinks=True)
        os.makedirs(os.path.join(self.root, "inventory"))
        os.makedirs(os.path.join(self.root, "env"))
        inventory_script(os.path.join(self.root, "inventory", "hosts"), hostvars, group_vars)
        self.envvars = dict(envvars, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR="1",
                            KUBECONFIG=os.path.join(self.root, "no-kubeconfig"))
        self.write("envvars", self.envvars)
        self.write("settings", SETTINGS)
        self.environ = {"PATH": "%s:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" % BIN,
                        "HOME": os.environ.get("HOME", self.root), "LANG": "C.UTF-8",
                        "USER": pwd.getpwuid(os.getuid()).pw_name}
        self.count = 0

    def write(self, name, data):
        path = os.path.join(self.root, "env", name)
        with open(path, "w") as handle:
            handle.write(data if isinstance(data, str) else yaml.safe_dump(data))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)

    def run(self, playbook, extravars, cmdline=None):
        self.count += 1
        self.write("extravars", dict(AWX_VARS, awx_job_id=4700 + self.count, **extravars))
        cmdline_file = os.path.join(self.root, "env", "cmdline")
        if cmdline:
            self.write("cmdline", cmdline)
        elif os.path.exists(cmdline_file):
            os.remove(cmdline_file)
        ident = "%02d-%s" % (self.count, os.path.basename(playbook)[:-4])
        with only_environ(self.environ):
            runner = ansible_runner.run(private_data_dir=self.root, playbook=playbook, ident=ident, quiet=True)
        return Job(runner, self.root)

    def processes(self):
        """ansible-playbook processes still running over this private data dir."""
        found = []
        for path in glob.glob("/proc/[0-9]*/cmdline"):
            try:
                with open(path, "rb") as handle:
                    argv = handle.read().decode(errors="replace").split("\0")
            except OSError:
                continue
            if any("ansible-playbook" in arg for arg in argv) and any(self.root in arg for arg in argv):
                found.append(argv)
        return found

    def artifacts_text(self):
        """Everything runner kept of the jobs except its own record of their environment (``command``)."""
        texts = []
        for path in glob.glob(os.path.join(self.root, "artifacts", "**", "*"), recursive=True):
            if os.path.isfile(path) and os.path.basename(path) != "command":
                with open(path, errors="replace") as handle:
                    texts.append(handle.read())
        return "\n".join(texts)


def run_sequence(jobs, rollback_cmdline=None):
    """The jobs both platforms run, in order."""
    done = {}
    done["deploy_v1"] = jobs.run("playbooks/deploy.yml", {"runbook_release": "v1", "runbook_skip_backup": True})
    done["deploy_v2"] = jobs.run("playbooks/deploy.yml", {"runbook_release": "v2"})
    done["smoke"] = jobs.run("playbooks/smoke.yml", {})
    done["smoke_check"] = jobs.run("playbooks/smoke.yml", {}, cmdline="--check --diff")
    done["rollback"] = jobs.run("playbooks/rollback.yml", {"runbook_release": "v2"}, cmdline=rollback_cmdline)
    # Launched from the prod job template's survey with "approved", but not from the workflow's approval node.
    done["prod"] = jobs.run("playbooks/deploy.yml", dict(PROD_APPROVAL, runbook_release="v3", runbook_environment="prod",
                                                         runbook_approved="true"))
    done["prod_processes"] = jobs.processes()
    return done


# ---------------------------------------------------------------------------------------------- nginx

def nginx_services():
    return [
        {"name": "api-gateway-service", "port": free_port(), "tier": "critical", "strategy": "bluegreen",
         "health_path": "/health", "color_ports": {"blue": free_port(), "green": free_port()},
         "checks": [{"name": "echo", "path": "/api/echo?probe=gateway", "status_codes": [200],
                     "assertions": ["success == true"]}]},
        {"name": "judgment-service", "port": free_port(), "tier": "critical", "strategy": "bluegreen",
         "health_path": "/health", "color_ports": {"blue": free_port(), "green": free_port()}},
    ]


@pytest.fixture(scope="module")
def nginx_platform(tmp_path_factory, project, postgres):
    """inventories/local on ports and a nginx of its own, run as AWX jobs."""
    root = str(tmp_path_factory.mktemp("awx-nginx"))
    site = os.path.join(root, "site")
    database = "runner_%s" % uuid.uuid4().hex[:8]
    pg = dict((key, postgres[key]) for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD"))
    side = dict(os.environ, RUNBOOK_INFRA_DIR=os.path.join(site, "infra"), PATH=os.environ["PATH"] + ":/usr/sbin", **pg)

    def psql(db, sql, check=True):
        subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-q", "-d", db, "-c", sql], env=side, check=check,
                       capture_output=True)

    with open(os.path.join(ROOT, "inventories", "local", "hosts.yml")) as handle:
        hostvars = yaml.safe_load(handle)["all"]["hosts"]
    with open(os.path.join(ROOT, "inventories", "local", "group_vars", "all", "runbook.yml")) as handle:
        group_vars = yaml.safe_load(handle)
    services = nginx_services()
    # Two blue-green services and fewer smoke samples than the inventory's keep the jobs short.
    group_vars.update(runbook_demo_dir=site, runbook_services=services, verify_samples=10,
                      runbook_backup={"database": database, "destination": site + "/backups/", "keep_days": 7})
    subprocess.run(["bash", NGINX, "start"], env=side, check=True, capture_output=True)
    psql("postgres", "CREATE DATABASE %s" % database)
    psql(database, "CREATE TABLE judgments (id bigserial PRIMARY KEY, amount int); "
                   "INSERT INTO judgments (amount) SELECT g FROM generate_series(1, 200) g")
    try:
        # PostgreSQL's settings as a custom credential would inject them.
        jobs = AwxJobs(os.path.join(root, "pdd"), project, hostvars, group_vars, pg)
        done = run_sequence(jobs)
        done.update(jobs=jobs, services=services, site=site)
        yield done
    finally:
        for pidfile in glob.glob(os.path.join(site, "instances", "*.pid")):
            subprocess.run(["bash", INSTANCE, "stop", pidfile], check=False, capture_output=True)
        subprocess.run(["bash", NGINX, "stop"], env=side, check=False, capture_output=True)
        psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % database, check=False)


def serving(services):
    answers = {}
    for service in services:
        with urllib.request.urlopen("http://127.0.0.1:%d/version" % service["port"], timeout=5) as response:
            answers[service["name"]] = json.loads(response.read())
    return answers


def assert_succeeded(job, operation, environment, platform):
    assert (job.status, job.rc) == ("successful", 0), job
    report = job.report
    assert (report["operation"], report["environment"], report["platform"]) == (operation, environment, platform)
    assert report["outcome"] == "succeeded" and report["failure"] in (None, ""), report
    assert report["check_mode"] is False
    # The reports are files of the job's working directory, the project (throwaway in an execution environment).
    assert report["reports"]["json"].startswith(job.project + os.sep), report["reports"]
    assert job.report_file()["outcome"] == "succeeded" and "succeeded" in job.report_file("md").lower()
    # Facts stay in the job: nothing reaches AWX's fact cache (runner's fact_cache/).
    assert os.listdir(os.path.join(job.artifact_dir, "fact_cache")) == []
    return report


def assert_the_sequence(done, environment, platform):
    v1 = assert_succeeded(done["deploy_v1"], "deploy", environment, platform)
    v2 = assert_succeeded(done["deploy_v2"], "deploy", environment, platform)
    assert v1["release"] == "v1" and v2["release"] == "v2"
    assert v2["colors"]["before"] == v1["colors"]["after"] and v2["colors"]["after"] != v2["colors"]["before"], v2
    assert v2["switched_back"] is False
    # No approval is asked outside prod.
    assert v1["approval"] is None and v2["approval"] is None

    assert_succeeded(done["smoke"], "smoke", environment, platform)
    assert done["smoke"].changed() == 0, done["smoke"]

    rollback = assert_succeeded(done["rollback"], "rollback", environment, platform)
    assert rollback["colors"] == {"before": v2["colors"]["after"], "after": v1["colors"]["after"]}, rollback
    assert rollback["release"] == "v1", rollback
    return v1, v2, rollback


def assert_check_job(job, environment, platform):
    """A Check job (--check --diff) of smoke: successful, reported as check mode, nothing changed."""
    assert (job.status, job.rc) == ("successful", 0), job
    assert "--check" in job.runner.config.command and "--diff" in job.runner.config.command
    report = job.report
    assert (report["operation"], report["environment"], report["platform"]) == ("smoke", environment, platform)
    assert report["check_mode"] is True and report["outcome"] == "succeeded", report
    assert job.changed() == 0, job


def assert_prod_refused(done):
    """No workflow approval: the job fails in preflight at once, with the reason; nothing waits or remains."""
    job = done["prod"]
    assert job.status == "failed" and job.rc != 0, job
    report = job.report
    assert report["outcome"] == "failed" and report["failed_phase"] == "preflight", report
    assert WORKFLOW_REFUSAL in report["failure"], report
    assert WORKFLOW_REFUSAL in job.stdout
    # The survey's "approved" is recorded as such, and is not enough for prod.
    approval = report["approval"]
    assert (approval["by"], approval["via"], approval["require_workflow"]) == ("jdoe", "awx_survey", True), approval
    assert approval["awx_job_id"] == 4706 and approval["awx_workflow_job_id"] is None, approval
    assert report["switched_back"] is False and report["backup_key"] is None, report
    assert "Type the release name" not in job.stdout
    assert done["prod_processes"] == []


def test_nginx_deploy_smoke_rollback_as_awx_jobs(nginx_platform):
    v1, v2, rollback = assert_the_sequence(nginx_platform, "local", "nginx")
    assert v1["backup_key"] is None
    assert v2["backup_key"] and os.path.isfile(v2["backup_key"]), v2
    answers = serving(nginx_platform["services"])
    assert set(a["release"] for a in answers.values()) == {"v1"}, answers
    assert set(a["color"] for a in answers.values()) == {rollback["colors"]["after"]}, answers
    assert not os.path.exists(os.path.join(nginx_platform["site"], "infra", "nginx", "conf.d", "runbook-run-local.lock"))


def test_nginx_check_job_of_smoke(nginx_platform):
    assert_check_job(nginx_platform["smoke_check"], "local", "nginx")


def test_nginx_prod_run_without_workflow_approval_fails_at_once(nginx_platform):
    assert_prod_refused(nginx_platform)
    assert set(a["release"] for a in serving(nginx_platform["services"]).values()) == {"v1"}


# ----------------------------------------------------------------------------------------- Kubernetes


@pytest.fixture(scope="module")
def k8s_platform(tmp_path_factory, project, k8s):
    """Services on the local control plane in a namespace of their own, reached with a bearer token credential."""
    root = str(tmp_path_factory.mktemp("awx-k8s"))
    with open(k8s["K8S_AUTH_KUBECONFIG"]) as handle:
        kubeconfig = yaml.safe_load(handle)
    token = kubeconfig["users"][0]["user"]["token"]
    cluster = kubeconfig["clusters"][0]["cluster"]
    admin = kubernetes.config.new_client_from_config(config_file=k8s["K8S_AUTH_KUBECONFIG"])
    core = kubernetes.client.CoreV1Api(admin)
    namespace = "runbook-runner-%s" % uuid.uuid4().hex[:8]
    core.create_namespace({"metadata": {"name": namespace}})
    # Pods of the control plane are simulated: the smoke checks go to a demo_app on this machine.
    port = free_port()
    app = subprocess.Popen([sys.executable, DEMO_APP, "--port", str(port)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % port
    services = [
        {"name": "judgment-service", "port": 8002, "tier": "critical", "strategy": "bluegreen", "replicas": 1,
         "idle_url": url, "live_url": url},
        {"name": "api-gateway-service", "port": 8000, "tier": "critical", "strategy": "bluegreen", "replicas": 1,
         "idle_url": url, "live_url": url},
        {"name": "workflow-service", "port": 8001, "tier": "important", "strategy": "rolling", "replicas": 1,
         "live_url": url},
    ]
    group_vars = {"runbook_environment": "runner", "runbook_platform": "kubernetes", "runbook_namespace": namespace,
                  "runbook_release": "v1", "runbook_image_registry": "registry.invalid/judgify",
                  "runbook_require_approval": False, "runbook_slo": {"p95_ms": 500, "error_rate": 0.01},
                  "runbook_services": services, "verify_samples": 10, "deploy_idle_rollout_timeout": 120}
    hostvars = {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}
    try:
        pdd = os.path.join(root, "pdd")
        os.makedirs(pdd)
        # AWX's Kubernetes bearer token credential: the CA goes to a file of the private data dir.
        handle, ca_path = tempfile.mkstemp(dir=pdd)
        with os.fdopen(handle, "w") as ca_file, open(cluster["certificate-authority"]) as source:
            ca_file.write(source.read())
        envvars = {"K8S_AUTH_HOST": cluster["server"], "K8S_AUTH_API_KEY": token, "K8S_AUTH_VERIFY_SSL": "True",
                   "K8S_AUTH_SSL_CA_CERT": ca_path}
        jobs = AwxJobs(pdd, project, hostvars, group_vars, envvars)
        done = run_sequence(jobs, rollback_cmdline="-vvv")
        done.update(jobs=jobs, token=token, core=core, apps=kubernetes.client.AppsV1Api(admin), namespace=namespace)
        yield done
    finally:
        app.terminate()
        app.wait(timeout=10)
        core.delete_namespace(namespace)


def test_k8s_deploy_smoke_rollback_as_awx_jobs(k8s_platform):
    v1, v2, rollback = assert_the_sequence(k8s_platform, "runner", "kubernetes")
    core, namespace = k8s_platform["core"], k8s_platform["namespace"]
    for name in ("judgment-service", "api-gateway-service"):
        # The color label of the inventory's default (runbook_color_label: version).
        assert core.read_namespaced_service(name, namespace).spec.selector["version"] == rollback["colors"]["after"]
    # The run lock was given back after every job.
    leases = kubernetes.client.CoordinationV1Api(core.api_client).list_namespaced_lease(namespace).items
    assert all(not (lease.spec.holder_identity or "") for lease in leases
               if lease.metadata.name.startswith("runbook-run-")), [lease.spec for lease in leases]


def test_k8s_check_job_of_smoke(k8s_platform):
    assert_check_job(k8s_platform["smoke_check"], "runner", "kubernetes")


def test_k8s_prod_run_without_workflow_approval_fails_at_once(k8s_platform):
    assert_prod_refused(k8s_platform)


def test_k8s_credential_token_is_never_shown(k8s_platform):
    """The rollback ran at -vvv; the bearer token is in no event, no output and no report."""
    token = k8s_platform["token"]
    assert "-vvv" in k8s_platform["rollback"].runner.config.command
    assert token not in k8s_platform["jobs"].artifacts_text()
    for path in glob.glob(os.path.join(k8s_platform["jobs"].root, "project", "reports", "*")):
        with open(path, errors="replace") as handle:
            assert token not in handle.read(), path
