"""The AWX configuration (awx/) and collections/requirements.yml hold together with the playbooks they name.

No AWX server runs here: the configuration is parsed and checked against the repository (playbooks,
inventories, the variables the roles read), its playbook passes --syntax-check with awx.awx, and the
project's collections/requirements.yml installs runbook.ops from the checkout the way a project sync does.
"""

import glob
import os
import re
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AWX = os.path.join(ROOT, "awx")
BIN = os.path.dirname(sys.executable)


def load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def config():
    return load(os.path.join(AWX, "vars.yml"))


def role_options():
    """Every variable some role's argument spec documents, with every entry point."""
    names = set()
    for path in glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")):
        for entry in load(path)["argument_specs"].values():
            names.update(entry.get("options", {}))
    return names


def templates(config):
    return dict((template["name"], template) for template in config["awx_job_templates"])


def test_every_template_runs_a_playbook_of_the_collection_on_an_inventory_of_the_repository(config):
    named = list(config["awx_job_templates"]) + [config["awx_incident_template"]]
    for template in named:
        assert os.path.isfile(os.path.join(ROOT, template["playbook"])), template
        assert template["environment"] in config["awx_environments"], template
    for environment in config["awx_environments"].values():
        assert os.path.isfile(os.path.join(ROOT, environment["inventory"], "hosts.yml")), environment
    # Each playbook that runs against an environment has a template in each environment.
    expected = set(["deploy", "rollback", "smoke", "backup", "restore"])
    for environment in config["awx_environments"]:
        covered = set(os.path.basename(t["playbook"])[:-4] for t in config["awx_job_templates"]
                      if t["environment"] == environment)
        assert expected <= covered, (environment, covered)


def test_every_survey_variable_is_read_by_the_playbooks(config):
    options = role_options()
    for name, question in config["awx_questions"].items():
        assert question["variable"] in options, name
        assert question["type"] in ("text", "textarea", "password", "integer", "float", "multiplechoice",
                                    "multiselect"), name
        if question["type"] == "multiplechoice":
            assert question["default"] in question["choices"], name
    used = set(q for t in config["awx_job_templates"] for q in t["questions"])
    used.update(q for w in config["awx_workflows"] for q in w["questions"])
    assert used <= set(config["awx_questions"]), used - set(config["awx_questions"])


def test_prod_changes_need_the_approval_question_and_run_behind_an_approval_node(config):
    by_name = templates(config)
    prod = load(os.path.join(ROOT, "inventories", "prod", "group_vars", "all", "runbook.yml"))
    assert prod["runbook_require_approval"] is True and prod["runbook_require_workflow"] is True
    changes = [t for t in config["awx_job_templates"]
               if t["environment"] == "prod" and not t["playbook"].endswith(("smoke.yml", "backup.yml"))]
    assert changes
    reached = {}
    for workflow in config["awx_workflows"]:
        nodes = dict((node["identifier"], node) for node in workflow["nodes"])
        parents = {}
        for node in workflow["nodes"]:
            for child in node.get("success_nodes", []):
                assert child["identifier"] in nodes, (workflow["name"], child)
                parents.setdefault(child["identifier"], []).append(node)
        for identifier, node in nodes.items():
            if "job_template" not in node:
                assert node["approval"] and workflow["approval_timeout"] > 0
                continue
            template = by_name[node["job_template"]]
            # extra_data reaches a job only for variables its survey asks.
            survey = set(config["awx_questions"][q]["variable"] for q in template["questions"])
            assert set(node.get("extra_data", {})) <= survey, (workflow["name"], identifier)
            if template["environment"] == "prod":
                assert [parent.get("approval") for parent in parents.get(identifier, [])], (workflow["name"], identifier)
                assert node["extra_data"] == {"runbook_approved": "true"}
                reached[template["name"]] = workflow["name"]
    for template in changes:
        assert "approval" in template["questions"], template
        assert template["name"] in reached, template
    release_flow = [w for w in config["awx_workflows"] if "staging deploy" in [n.get("job_template") for n in w["nodes"]]]
    assert release_flow and "release" in release_flow[0]["questions"]


def test_daily_backup_schedule_and_webhook_incident_template(config):
    by_name = templates(config)
    schedule, = config["awx_schedules"]
    assert by_name[schedule["job_template"]]["playbook"] == "playbooks/backup.yml"
    prod = load(os.path.join(ROOT, "inventories", "prod", "group_vars", "all", "runbook.yml"))
    minute, hour = prod["runbook_backup"]["schedule"].split()[:2]
    found = re.match(r"DTSTART;TZID=[\w/]+:\d{8}T(\d\d)(\d\d)00 RRULE:FREQ=DAILY;INTERVAL=1$", schedule["rrule"])
    assert found and (int(found.group(1)), int(found.group(2))) == (int(hour), int(minute)), schedule
    incident = config["awx_incident_template"]
    assert incident["webhook_service"] in ("github", "gitlab")
    assert incident["playbook"] == "playbooks/smoke.yml"


def test_the_configuration_playbook_passes_syntax_check():
    result = subprocess.run([os.path.join(BIN, "ansible-playbook"), "--syntax-check", os.path.join(AWX, "configure.yml")],
                            capture_output=True, text=True, check=False, cwd=ROOT,
                            env=dict(os.environ, ANSIBLE_NOCOLOR="1"))
    assert result.returncode == 0, result.stdout + result.stderr
    used = set(re.findall(r"^\s+(awx\.awx\.\w+):", open(os.path.join(AWX, "configure.yml")).read(), re.MULTILINE))
    assert {"awx.awx.project", "awx.awx.inventory", "awx.awx.inventory_source", "awx.awx.credential",
            "awx.awx.job_template", "awx.awx.workflow_job_template", "awx.awx.schedule"} <= used


def test_project_requirements_install_the_collection_from_the_checkout(tmp_path):
    requirements = load(os.path.join(ROOT, "collections", "requirements.yml"))["collections"]
    names = [entry["name"] for entry in requirements]
    assert "kubernetes.core" in names
    own, = [entry for entry in requirements if entry["name"] == "runbook.ops"]
    assert (own["type"], own["source"]) == ("dir", ".")
    # A project sync runs ansible-galaxy from the project directory; only our own entry, so no Galaxy is asked.
    only_own = tmp_path / "requirements.yml"
    only_own.write_text(yaml.safe_dump({"collections": [own]}))
    target = tmp_path / "collections"
    # A project sync starts with no runbook.ops installed; the staged copy of the test run must not satisfy it.
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith("ANSIBLE_COLLECTIONS_PATH"))
    result = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "--force",
                             "-r", str(only_own), "--collections-path", str(target)],
                            capture_output=True, text=True, check=False, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    installed = target / "ansible_collections" / "runbook" / "ops"
    assert (installed / "roles" / "report" / "tasks" / "main.yml").is_file()
    assert (installed / "playbooks" / "deploy.yml").is_file()
    assert not (installed / ".git").exists()
