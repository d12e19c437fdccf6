"""Check mode of the data and traffic playbooks: backup, restore, disaster_recovery and alb_shift.

Each ``--check --diff`` run must succeed, make the report directory, publish ``runbook_report`` with
``check_mode: true`` through set_stats, say what it would do, and change nothing. Nothing is taken on
trust: the bucket (keys, ETags, open multipart uploads), PostgreSQL (databases, row counts and a checksum
of every test table), the local backup directory (files and mtimes), the Deployments and Services of the
namespace (resourceVersions, replicas) and the ALB listener's weights are read before and after each run.
Failure paths are checked the same way: a check of a backup that does not exist fails clearly and
changes nothing.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import uuid

import pytest
import yaml

boto3 = pytest.importorskip("boto3")
psycopg2 = pytest.importorskip("psycopg2")
kubernetes = pytest.importorskip("kubernetes")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("RUNBOOK_BUILD_DIR", os.path.join(ROOT, ".build"))
COLLECTION = os.path.join(BUILD, "collections", "ansible_collections", "runbook", "ops")
PLAYBOOKS = os.path.join(COLLECTION, "playbooks")
ALB_INVENTORY = os.path.join(ROOT, "inventories", "examples", "alb")
ALB_TOOL = os.path.join(ROOT, "tests", "integration", "targets", "traffic_shift_alb", "files", "alb.py")
TABLES = ("judgments", "rules")


def custom_stats(output):
    """The set_stats data the default callback prints under CUSTOM STATS (one JSON line after RUN:)."""
    found = re.search(r"^\s*RUN: (\{.*\})\s*$", output, re.MULTILINE)
    assert found, output[-3000:]
    return json.loads(found.group(1))["runbook_report"]


class Site:
    """A database with data, a bucket and an inventory under one directory; all removed at the end."""

    def __init__(self, root, postgres, s3, k8s):
        self.root = root
        suffix = uuid.uuid4().hex[:8]
        self.database = "ckdata_%s" % suffix
        self.bucket = "ckdata-%s" % suffix
        self.namespace = "ckdata-%s" % suffix
        self.reports = root / "reports"
        self.pg = dict((key, postgres[key]) for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD"))
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(BUILD, "collections"), ANSIBLE_NOCOLOR="1",
                        ANSIBLE_FORCE_COLOR="0", ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_SHOW_CUSTOM_STATS="1",
                        RUNBOOK_REPORT_DIR=str(self.reports), K8S_AUTH_KUBECONFIG=k8s["K8S_AUTH_KUBECONFIG"],
                        AWS_ENDPOINT_URL=s3["AWS_ENDPOINT_URL"], AWS_ACCESS_KEY_ID=s3["AWS_ACCESS_KEY_ID"],
                        AWS_SECRET_ACCESS_KEY=s3["AWS_SECRET_ACCESS_KEY"], AWS_DEFAULT_REGION="us-east-1",
                        PATH=os.environ["PATH"] + ":" + postgres["PG_BINDIR"], **self.pg)
        self.s3 = boto3.client("s3", endpoint_url=s3["AWS_ENDPOINT_URL"], region_name="us-east-1",
                               aws_access_key_id=s3["AWS_ACCESS_KEY_ID"],
                               aws_secret_access_key=s3["AWS_SECRET_ACCESS_KEY"])
        self.kube = kubernetes.config.new_client_from_config(config_file=k8s["K8S_AUTH_KUBECONFIG"])
        self.inventory = root / "inventory"
        self.write_inventory()

    def write_inventory(self, **overrides):
        (self.inventory / "group_vars").mkdir(parents=True, exist_ok=True)
        (self.inventory / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
            "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}}))
        data = {
            "runbook_environment": "ckdata",
            "runbook_platform": "kubernetes",
            "runbook_namespace": self.namespace,
            "runbook_release": "v1",
            "runbook_backup": {"database": self.database, "destination": "s3://%s/postgres/" % self.bucket,
                               "endpoint_url": self.env["AWS_ENDPOINT_URL"], "keep_days": 7},
            "runbook_services": [
                {"name": "action-service", "port": 8003, "strategy": "rolling", "replicas": 1, "recovery_priority": 2},
                {"name": "judgment-service", "port": 8002, "strategy": "bluegreen", "replicas": 2,
                 "recovery_priority": 1},
            ],
        }
        data.update(overrides)
        (self.inventory / "group_vars" / "all.yml").write_text(yaml.safe_dump(data))

    # --- the systems

    def connect(self, database="postgres"):
        conn = psycopg2.connect(host=self.pg["PGHOST"], port=self.pg["PGPORT"], user=self.pg["PGUSER"],
                                password=self.pg["PGPASSWORD"], dbname=database)
        conn.autocommit = True
        return conn

    def sql(self, database, statement):
        conn = self.connect(database)
        try:
            with conn.cursor() as cur:
                cur.execute(statement)
                return cur.fetchall() if cur.description else None
        finally:
            conn.close()

    def start(self):
        self.sql("postgres", "CREATE DATABASE %s" % self.database)
        self.sql(self.database, "CREATE TABLE judgments (id bigserial PRIMARY KEY, amount int, result boolean); "
                                "INSERT INTO judgments (amount, result) SELECT g % 1000, g % 3 = 0 "
                                "FROM generate_series(1, 3000) g; "
                                "CREATE TABLE rules (name text PRIMARY KEY, expression text); "
                                "INSERT INTO rules VALUES ('big', 'amount > 100'), ('small', 'amount < 10')")
        self.s3.create_bucket(Bucket=self.bucket)

    def stop(self):
        for (name,) in self.sql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE '%s%%'"
                                            % self.database):
            self.sql("postgres", 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        for upload in self.s3.list_multipart_uploads(Bucket=self.bucket).get("Uploads", []):
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        for item in self.s3.list_objects_v2(Bucket=self.bucket).get("Contents", []):
            self.s3.delete_object(Bucket=self.bucket, Key=item["Key"])
        self.s3.delete_bucket(Bucket=self.bucket)
        core = kubernetes.client.CoreV1Api(self.kube)
        if any(n.metadata.name == self.namespace for n in core.list_namespace().items):
            core.delete_namespace(self.namespace)

    def bucket_state(self):
        objects = sorted((item["Key"], item["ETag"], item["Size"], item["LastModified"].isoformat())
                         for item in self.s3.list_objects_v2(Bucket=self.bucket).get("Contents", []))
        uploads = sorted((upload["Key"], upload["UploadId"])
                         for upload in self.s3.list_multipart_uploads(Bucket=self.bucket).get("Uploads", []))
        return {"objects": objects, "uploads": uploads}

    def database_state(self):
        # The server is shared: only this test's databases and those a restore would make from its name.
        databases = sorted(name for (name,) in self.sql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE '%s%%'"
                                                                    % self.database))
        tables = {}
        for table in TABLES:
            tables[table] = self.sql(self.database, "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) "
                                                    "FROM %s t" % table)[0]
        return {"databases": databases, "tables": tables}

    def cluster_state(self):
        apps = kubernetes.client.AppsV1Api(self.kube)
        core = kubernetes.client.CoreV1Api(self.kube)
        deployments = dict((d.metadata.name, (d.metadata.resource_version, d.spec.replicas))
                           for d in apps.list_namespaced_deployment(self.namespace).items)
        services = dict((s.metadata.name, (s.metadata.resource_version, s.spec.selector))
                        for s in core.list_namespaced_service(self.namespace).items)
        return {"deployments": deployments, "services": services}

    def state(self, cluster=False, directory=None):
        found = {"bucket": self.bucket_state(), "database": self.database_state()}
        if cluster:
            found["cluster"] = self.cluster_state()
        if directory is not None:
            found["directory"] = directory_state(directory)
        return found

    def deploy_scaled_down(self):
        """The services of the inventory, every Deployment at 0 replicas (a disaster), Services in place."""
        core = kubernetes.client.CoreV1Api(self.kube)
        apps = kubernetes.client.AppsV1Api(self.kube)
        core.create_namespace({"metadata": {"name": self.namespace}})
        for name, colors in (("action-service", [None]), ("judgment-service", ["blue", "green"])):
            for color in colors:
                labels = {"app.kubernetes.io/name": name}
                if color:
                    labels["version"] = color
                apps.create_namespaced_deployment(self.namespace, {
                    "metadata": {"name": name + ("-" + color if color else ""), "labels": labels},
                    "spec": {"replicas": 0, "selector": {"matchLabels": labels},
                             "template": {"metadata": {"labels": labels},
                                          "spec": {"containers": [{"name": "app", "image": "demo:v1"}]}}}})
            selector = {"app.kubernetes.io/name": name}
            if colors[0]:
                selector["version"] = "green"
            core.create_namespaced_service(self.namespace, {
                "metadata": {"name": name},
                "spec": {"selector": selector, "ports": [{"port": 80, "targetPort": 8080}]}})

    # --- runs

    def playbook(self, name, *args, check=True, inventory=None, timeout=600):
        command = ["ansible-playbook", "-i", str(inventory or self.inventory), os.path.join(PLAYBOOKS, name)]
        command += (["--check", "--diff"] if check else []) + list(args)
        result = subprocess.run(command, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, text=True, timeout=timeout, check=False)
        return result.returncode, result.stdout

    def backup(self):
        """A real backup, for the checks that need one; returns its key."""
        rc, output = self.playbook("backup.yml", check=False)
        assert rc == 0, output[-3000:]
        return custom_stats(output)["backup_key"]


def directory_state(path):
    found = []
    for folder, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(folder, name)
            info = os.stat(full)
            found.append((os.path.relpath(full, path), info.st_size, info.st_mtime_ns))
    return sorted(found)


@pytest.fixture
def site(tmp_path, postgres, s3, k8s):
    if not os.path.isdir(COLLECTION):
        pytest.fail("no staged collection at %s: run through tests/run.sh" % COLLECTION)
    made = Site(tmp_path, postgres, s3, k8s)
    made.start()
    yield made
    made.stop()


def assert_check_run(site, rc, output, operation, outcome="succeeded"):
    assert (rc == 0) == (outcome == "succeeded"), output[-4000:]
    assert site.reports.is_dir(), "check mode made no report directory"
    stats = custom_stats(output)
    assert stats["check_mode"] is True
    assert stats["operation"] == operation
    assert stats["outcome"] == outcome, stats
    # The run report is a record of the check too, written where the artifact says.
    with open(stats["reports"]["json"], encoding="utf-8") as report:
        assert json.load(report)["check_mode"] is True
    assert os.path.isfile(stats["reports"]["md"]), stats["reports"]
    return stats


# --- backup

@pytest.mark.parametrize("store", ["s3", "directory", "new_directory"])
def test_backup_check_says_what_it_would_write_delete_and_abort_and_changes_nothing(site, tmp_path, store):
    backups = tmp_path / "backups"
    if store == "s3":
        site.write_inventory(runbook_backup={"database": site.database, "destination": "s3://%s/postgres/" % site.bucket,
                                             "endpoint_url": site.env["AWS_ENDPOINT_URL"], "keep_last": 1})
    else:
        site.write_inventory(runbook_backup={"database": site.database, "destination": str(backups) + "/",
                                             "keep_last": 1})
    old = site.backup() if store != "new_directory" else None
    if store == "s3":
        # Left by a run killed mid-upload years ago: a real run would abort it.
        site.s3.create_multipart_upload(Bucket=site.bucket,
                                        Key="postgres/2020/01/01/%s_20200101T000000000Z.dump" % site.database)
    shutil.rmtree(site.reports, ignore_errors=True)
    before = site.state(directory=backups if store == "directory" else None)

    rc, output = site.playbook("backup.yml")

    stats = assert_check_run(site, rc, output, "backup")
    assert site.state(directory=backups if store == "directory" else None) == before
    assert re.search(r"would back %s up to \S+%s_\d{8}T\d{9}Z\.dump" % (site.database, site.database), output), output[-3000:]
    assert "abort %d open upload(s)" % (1 if store == "s3" else 0) in output
    if old:
        assert "would delete 1 backup(s) by retention: %s" % old in output
        # The diff names the backup that would go.
        assert re.search(r'^-\s+"%s"' % re.escape(old), output, re.MULTILINE), output[-3000:]
    else:
        assert "would delete 0 backup(s) by retention" in output
        assert not backups.exists(), "check mode made the backup directory"
    # A key that was never written is not handed on as the run's backup.
    assert stats["backup_key"] is None


def test_backup_check_of_a_database_that_does_not_exist_fails_and_changes_nothing(site):
    site.write_inventory(runbook_backup={"database": site.database + "_absent",
                                         "destination": "s3://%s/postgres/" % site.bucket,
                                         "endpoint_url": site.env["AWS_ENDPOINT_URL"]})
    before = site.state()

    rc, output = site.playbook("backup.yml")

    stats = assert_check_run(site, rc, output, "backup", outcome="failed")
    assert site.database + "_absent" in stats["failure"]
    assert stats["failed_phase"] == "backup"
    assert site.state() == before


# --- restore

def test_restore_check_verifies_the_backup_shows_the_rows_it_would_bring_back_and_changes_nothing(site):
    key = site.backup()
    site.sql(site.database, "DELETE FROM judgments WHERE id % 2 = 0")
    before = site.state()

    rc, output = site.playbook("restore.yml", "-e", "restore_force=true")

    assert_check_run(site, rc, output, "restore")
    assert site.state() == before
    assert "would restore %s" % key in output
    assert "checksum and content verified) into %s (method swap)" % site.database in output
    # The diff: the table as it is, and as the backup would make it.
    assert re.search(r'^-\s+"public\.judgments": 1500', output, re.MULTILINE), output[-3000:]
    assert re.search(r'^\+\s+"public\.judgments": 3000', output, re.MULTILINE), output[-3000:]


def test_restore_check_into_a_new_database_creates_none(site):
    site.backup()
    before = site.state()

    rc, output = site.playbook("restore.yml", "-e", "restore_target=new", "-e", "restore_database=%s_drill" % site.database)

    assert_check_run(site, rc, output, "restore")
    assert site.state() == before
    assert "into %s_drill (a new database)" % site.database in output


@pytest.mark.parametrize("case", ["missing_key", "no_backup_at_all", "target_exists"])
def test_restore_check_that_cannot_restore_fails_clearly_and_changes_nothing(site, case):
    extra = ["-e", "restore_force=true"]
    if case == "missing_key":
        site.backup()
        missing = "s3://%s/postgres/2020/01/01/%s_20200101T000000000Z.dump" % (site.bucket, site.database)
        extra += ["-e", "restore_source=%s" % missing]
        message = "Backup %s does not exist; target %s unchanged" % (missing, site.database)
    elif case == "no_backup_at_all":
        message = "No complete backup of %s under s3://%s/postgres/" % (site.database, site.bucket)
    else:
        site.backup()
        extra += ["-e", "restore_target=new"]
        message = "Database %s already exists; target=new restores into a database it creates" % site.database
    before = site.state()

    rc, output = site.playbook("restore.yml", *extra)

    stats = assert_check_run(site, rc, output, "restore", outcome="failed")
    assert message in stats["failure"], stats["failure"]
    assert stats["failed_phase"] == "restore"
    assert "restore failed: " + message in output
    assert site.state() == before


# --- disaster recovery

def test_disaster_recovery_check_on_kubernetes_scales_nothing_and_restores_nothing(site):
    site.backup()
    site.deploy_scaled_down()
    site.sql(site.database, "DELETE FROM judgments WHERE id % 2 = 0")
    before = site.state(cluster=True)

    rc, output = site.playbook("disaster_recovery.yml")

    stats = assert_check_run(site, rc, output, "disaster_recovery")
    assert site.state(cluster=True) == before
    assert "would restore s3://%s/postgres/" % site.bucket in output
    # The scale diffs, in the runbook's order: judgment (its live color, green) first, then action.
    scaled = re.findall(r"Scale it to its replicas[^,\]]*, (\S+)\] \*+\n--- before\n\+\+\+ after\n"
                        r"(?:.*\n){3}-\s+\"replicas\": 0\n\+\s+\"replicas\": (\d+)", output)
    assert scaled == [("judgment-service", "2"), ("action-service", "1")], output[-5000:]
    assert stats["failure"] is None


def test_disaster_recovery_check_on_nginx_asks_each_service_once_instead_of_waiting(site, demo_apps, tmp_path):
    site.backup()
    answering = demo_apps.start("--service", "judgment-service")
    port = int(answering.rsplit(":", 1)[1])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        silent = sock.getsockname()[1]
    # The deploy lock lives next to the nginx configuration; check mode only reads it.
    conf_dir = tmp_path / "nginx" / "conf.d"
    conf_dir.mkdir(parents=True)
    site.write_inventory(runbook_platform="nginx", runbook_nginx={"conf_dir": str(conf_dir)}, runbook_services=[
        {"name": "judgment-service", "port": port, "strategy": "bluegreen", "recovery_priority": 1},
        {"name": "action-service", "port": silent, "strategy": "bluegreen", "recovery_priority": 2}])
    before = site.state(directory=conf_dir.parent)

    # A wait would take restore_ready_timeout (600 s) for the silent service; the run's timeout is shorter.
    rc, output = site.playbook("disaster_recovery.yml", timeout=400)

    assert_check_run(site, rc, output, "disaster_recovery")
    assert site.state(directory=conf_dir.parent) == before
    assert "until http://127.0.0.1:%d/health answers 200 (now: 200)" % port in output
    assert "until http://127.0.0.1:%d/health answers 200 (now: no answer)" % silent in output

    # The same recovery for real, of the service that answers: it waits, and records when it was back.
    site.write_inventory(runbook_platform="nginx", runbook_nginx={"conf_dir": str(conf_dir)}, runbook_services=[
        {"name": "judgment-service", "port": port, "strategy": "bluegreen", "recovery_priority": 1}])
    rc, output = site.playbook("disaster_recovery.yml", "-e", "restore_ready_timeout=30", check=False)
    assert rc == 0, output[-3000:]
    # The check run wrote its report too (check_mode true), into the same directory.
    reports = [json.loads(path.read_text()) for path in site.reports.glob("disaster_recovery-*.json")]
    real = [report for report in reports if not report["check_mode"]]
    assert len(real) == 1, reports
    report = real[0]
    assert [service["name"] for service in report["restore"]["recovered"]] == ["judgment-service"]
    assert report["restore"]["recovered"][0]["ready_at"]


def test_disaster_recovery_check_without_a_backup_fails_before_touching_the_cluster(site):
    site.deploy_scaled_down()
    before = site.state(cluster=True)

    rc, output = site.playbook("disaster_recovery.yml")

    stats = assert_check_run(site, rc, output, "disaster_recovery", outcome="failed")
    assert "No complete backup of %s" % site.database in stats["failure"]
    assert "Scale it to its replicas" not in output
    assert site.state(cluster=True) == before


# --- ALB shift

def alb_tool(endpoint, *args):
    return json.loads(subprocess.run([sys.executable, ALB_TOOL, endpoint] + list(args), capture_output=True,
                                     text=True, check=True).stdout)


@pytest.fixture
def alb(s3):
    endpoint = s3["AWS_ENDPOINT_URL"]
    return dict(alb_tool(endpoint, "create", "ck-%s" % uuid.uuid4().hex[:8]), endpoint=endpoint)


def alb_weights(alb):
    by_arn = alb_tool(alb["endpoint"], "weights", alb["listener"])
    return {"blue": by_arn[alb["blue"]], "green": by_arn[alb["green"]]}


def alb_run(site, alb, url, *args, check=True, **extra_vars):
    runbook_alb = {"region": "us-east-1", "endpoint_url": alb["endpoint"], "url": url,
                   "listeners": [{"name": alb["listener"], "stable_target_group": alb["blue"],
                                  "canary_target_group": alb["green"]}]}
    return site.playbook("alb_shift.yml", "-e", json.dumps(dict(extra_vars, runbook_alb=runbook_alb)), *args,
                         check=check, inventory=ALB_INVENTORY)


def test_alb_shift_check_shows_the_weights_and_moves_no_traffic(site, alb, demo_apps):
    url = demo_apps.start("--service", "judgify", "--color", "green", "--release", "v2")

    rc, output = alb_run(site, alb, url, alb_weight=10)

    stats = assert_check_run(site, rc, output, "alb_shift")
    assert alb_weights(alb) == {"blue": 100, "green": 0}
    assert "would shift the new version to 10 % (now: 0 %) on 1 listener(s), then smoke-check " + url in output
    assert re.search(r'^-\s+"%s": 0\n\+\s+"%s": 10' % (re.escape(alb["listener"]), re.escape(alb["listener"])),
                     output, re.MULTILINE), output[-3000:]
    # Nothing moved, so nothing was smoke-checked: no smoke report.
    assert not list(site.reports.glob("smoke-*.json"))
    assert stats["environment"] == "staging-vm"

    # A real shift, then a check of the route back: the weights stay where the real shift left them.
    rc, output = alb_run(site, alb, url, check=False, alb_weight=10)
    assert rc == 0, output[-3000:]
    assert custom_stats(output)["check_mode"] is False
    rc, output = alb_run(site, alb, url, alb_previous=True)
    assert_check_run(site, rc, output, "alb_shift")
    assert "would shift the new version to 0 % (now: 10 %)" in output
    assert alb_weights(alb) == {"blue": 90, "green": 10}


def test_alb_shift_check_with_bad_input_fails_in_its_report_and_moves_no_traffic(site, alb, demo_apps):
    url = demo_apps.start()

    rc, output = alb_run(site, alb, url, alb_weight=150)

    stats = assert_check_run(site, rc, output, "alb_shift", outcome="failed")
    assert "weight" in stats["failure"]
    assert alb_weights(alb) == {"blue": 100, "green": 0}
