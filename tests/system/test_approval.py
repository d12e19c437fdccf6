"""Preflight's approval never waits for an answer unless asked to, and records who approved and how.

Each case is one host of a generated inventory (its variables are the case), so one ansible-playbook run
checks them all. The runs get a terminal (a pty) that nobody types into, as under ansible-runner or
ansible-navigator outside AWX: a prompt there waits until a timeout, so a run that needs an approval and
has none must fail at once instead.
"""

import json
import os
import re
import shlex
import subprocess
import threading
import time

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("RUNBOOK_BUILD_DIR", os.path.join(ROOT, ".build"))
PLAYBOOK = os.path.join(ROOT, "tests", "system", "playbooks", "approval.yml")
PROMPT = "Type the release name (v9.9.9) to approve"
WORKFLOW_REFUSAL = ("prod runs only as a node of an AWX workflow behind an approval node (runbook_require_workflow=true), "
                    "and this run is not part of a workflow job (awx_workflow_job_id is not set), so nothing was changed")
REFUSAL = "prod requires an explicit approval and none was given, so nothing was changed"

# case: (variables, expected: None for a refusal with that message, else (via, by))
CASES = {
    "nothing": ({}, REFUSAL),
    "declined": ({"runbook_approved": False}, REFUSAL),
    "awx_unapproved": ({"awx_job_id": 41, "awx_user_name": "jdoe"}, REFUSAL),
    "interactive_in_awx": ({"runbook_interactive_approval": True, "awx_job_id": 45}, REFUSAL),
    "extra_var": ({"runbook_approved": True}, ("extra_var", "opsuser")),
    "survey": ({"runbook_approved": "true", "awx_job_id": 41, "awx_user_name": "jdoe"}, ("awx_survey", "jdoe")),
    "schedule": ({"runbook_approved": True, "awx_job_id": 42, "awx_job_launch_type": "scheduled"},
                 ("awx_survey", "awx-scheduled")),
    "tower": ({"runbook_approved": True, "tower_job_id": 43, "tower_user_name": "tdoe"}, ("awx_survey", "tdoe")),
    # As inventories/prod: a workflow job is demanded.
    "wf_extra_var": ({"runbook_require_workflow": True, "runbook_approved": True}, WORKFLOW_REFUSAL),
    "wf_survey": ({"runbook_require_workflow": True, "runbook_approved": True, "awx_job_id": 41,
                   "awx_user_name": "jdoe"}, WORKFLOW_REFUSAL),
    "wf_interactive": ({"runbook_require_workflow": True, "runbook_interactive_approval": True}, WORKFLOW_REFUSAL),
    "wf_node": ({"runbook_require_workflow": True, "runbook_approved": True, "awx_job_id": 44,
                 "awx_workflow_job_id": 40, "awx_user_name": "jdoe"}, ("awx_workflow", "jdoe")),
}


def run(tmp_path, cases, answer=None):
    """Output of one run over ``cases`` on a terminal; ``answer`` is typed when the prompt shows."""
    hosts = dict((name, dict({"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                              "runbook_environment": "prod", "runbook_release": "v9.9.9",
                              "runbook_require_approval": True, "runbook_require_workflow": False}, **variables))
                 for name, variables in cases.items())
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(BUILD, "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", USER="opsuser")
    # script(1) gives the run a controlling terminal, as ansible-runner's pexpect does.
    command = "ansible-playbook -i %s %s" % (shlex.quote(str(inventory)), shlex.quote(PLAYBOOK))
    process = subprocess.Popen(["script", "-qec", command, "/dev/null"], env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks = []

    def read():
        while True:
            data = os.read(process.stdout.fileno(), 65536)
            if not data:
                return
            chunks.append(data.decode(errors="replace"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 180
    typed = False
    while process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail("the run waited for an answer nobody gave:\n" + "".join(chunks)[-3000:])
        if answer is not None and not typed and PROMPT in "".join(chunks):
            process.stdin.write((answer + "\r").encode())
            process.stdin.flush()
            typed = True
        time.sleep(0.2)
    reader.join(timeout=10)
    return process.returncode, "".join(chunks).replace("\r\n", "\n")


def recorded(output, host):
    found = re.search(r'^ok: \[%s\] => \{\n\s+"msg": "APPROVAL (.*)"\n\}' % re.escape(host), output, re.MULTILINE)
    assert found, output[-3000:]
    return json.loads(found.group(1).replace('\\"', '"'))


def failure(output, host):
    found = re.search(r'^fatal: \[%s\]: FAILED! => (\{.*\})$' % re.escape(host), output, re.MULTILINE)
    return json.loads(found.group(1))["msg"] if found else None


def test_approvals_are_recorded_and_refusals_are_immediate(tmp_path):
    code, output = run(tmp_path, dict((name, case[0]) for name, case in CASES.items()))
    assert code != 0
    assert "Type the release name" not in output
    for name, (variables, expected) in CASES.items():
        approval = recorded(output, name)
        assert approval["require_workflow"] is bool(variables.get("runbook_require_workflow")), name
        if isinstance(expected, str):
            assert expected in (failure(output, name) or ""), (name, output[-3000:])
            if expected == REFUSAL:
                assert (approval["approved"], approval["via"]) == (False, "none"), (name, approval)
            assert approval["awx_workflow_job_id"] is None, (name, approval)
            continue
        assert failure(output, name) is None, (name, failure(output, name))
        assert (approval["approved"], approval["via"], approval["by"]) == (True,) + expected, (name, approval)
        job = variables.get("awx_job_id", variables.get("tower_job_id"))
        assert approval["awx_job_id"] == job and approval["awx_workflow_job_id"] == variables.get("awx_workflow_job_id")


def test_the_terminal_prompt_only_when_asked_for(tmp_path):
    code, output = run(tmp_path, {"typed": {"runbook_interactive_approval": True}}, answer="v9.9.9")
    assert code == 0, output[-3000:]
    assert PROMPT in output
    approval = recorded(output, "typed")
    assert (approval["approved"], approval["via"], approval["by"]) == (True, "terminal", "opsuser")
    code, output = run(tmp_path, {"mistyped": {"runbook_interactive_approval": True}}, answer="yes")
    assert code != 0 and REFUSAL in failure(output, "mistyped")
    assert recorded(output, "mistyped")["approved"] is False
