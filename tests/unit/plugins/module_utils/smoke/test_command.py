# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys
import time

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.redact import Redactor
from ansible_collections.runbook.ops.plugins.module_utils.smoke.command import (
    command_argv, fill_placeholders, run_gate)
from ansible_collections.runbook.ops.plugins.module_utils.timing import PhaseTimer

DEFAULTS = dict(name=None, argv=None, cmd=None, url=None, service=None, color=None, json=False,
                timeout=30.0, chdir=None, environment=None, secret_environment=None, output_limit=20000,
                fail_on_failure=False, run_in_check_mode=False)


def gate(script, *args, check_mode=False, secrets=(), **params):
    options = dict(DEFAULTS, argv=[sys.executable, "-c", script] + list(args))
    options.update(params)
    return run_gate(options, Redactor(secrets), PhaseTimer(), check_mode)


def test_exit_status_zero_passes_and_placeholders_are_filled():
    result = gate("import sys; print(sys.argv[1:])", "{url}", "{service}-{color}",
                  url="http://127.0.0.1:8102", service="judgment-service", color="green")
    assert result["success"] and result["rc"] == 0 and not result["timed_out"]
    assert "['http://127.0.0.1:8102', 'judgment-service-green']" in result["stdout"]
    assert result["command"][-2:] == ["http://127.0.0.1:8102", "judgment-service-green"]


def test_non_zero_exit_fails_with_the_status_and_keeps_stderr():
    result = gate("import sys; sys.stderr.write('2 failed'); sys.exit(3)", name="critical-path")
    assert not result["success"] and result["rc"] == 3
    assert result["msg"] == "critical-path: exited with status 3"
    assert result["stderr"] == "2 failed"


def test_fail_on_failure_raises_with_the_result():
    with pytest.raises(RunbookError) as raised:
        gate("raise SystemExit(1)", fail_on_failure=True, name="suite")
    assert raised.value.msg == "suite: exited with status 1"
    assert raised.value.details["rc"] == 1 and raised.value.details["success"] is False


@pytest.mark.parametrize("script, passed, reason", [
    ("print('{\"success\": true, \"passed\": 3}')", True, "its report says success: true"),
    ("print('{\"success\": false}')", False, "its report says success: false"),
    ("print('{\"success\": \"yes\"}')", False, 'its report says success: "yes"'),
    ("print('{\"passed\": 3}')", False, "its report has no success field"),
    ("print('[true]')", False, "its standard output is JSON but not an object with a success field"),
    ("print('3 passed')", False, "its standard output is not JSON"),
])
def test_json_report_on_stdout_is_judged_by_its_success_field(script, passed, reason):
    result = gate(script, json=True)
    assert result["success"] is passed
    assert reason in result["msg"]


def test_json_report_in_the_result_file_is_read_and_the_file_removed():
    script = "import json, sys; json.dump({'success': True, 'passed': 12}, open(sys.argv[1], 'w')); print('done')"
    result = gate(script, "{result_file}", json=True)
    assert result["success"] and result["report"] == {"success": True, "passed": 12}
    assert not os.path.exists(os.path.dirname(result["command"][-1]))


def test_a_result_file_never_written_fails_the_json_gate():
    result = gate("pass", "{result_file}", json=True)
    assert not result["success"] and "it wrote no report to" in result["msg"]


def test_the_exit_status_fails_the_gate_even_when_the_report_says_success():
    result = gate("print('{\"success\": true}'); raise SystemExit(2)", json=True)
    assert not result["success"] and result["msg"].endswith("exited with status 2")


def test_timeout_kills_the_whole_process_group(tmp_path):
    # The suite starts a worker of its own that would outlive it; the timeout must end both.
    pid_file = tmp_path / "worker.pid"
    script = ("import subprocess, sys, time; "
              "worker = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
              "open(%r, 'w').write(str(worker.pid)); time.sleep(60)" % str(pid_file))
    result = gate(script, timeout=1)
    assert result["timed_out"] and not result["success"] and result["rc"] == -15
    assert result["msg"].endswith("timed out after 1 s and was killed")
    worker = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker)


def alive(pid):
    """Whether ``pid`` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_secrets_of_the_environment_reach_the_command_and_are_masked_in_its_output():
    script = "import os; print('token=' + os.environ['SMOKE_TOKEN'] + ' plain=' + os.environ['MODE'])"
    result = gate(script, environment={"MODE": "ci"}, secret_environment={"SMOKE_TOKEN": "s3cr3t-value"},
                  secrets=["s3cr3t-value"])
    assert result["stdout"].strip() == "token=******** plain=ci"


def test_output_keeps_its_end_when_cut():
    result = gate("print('x' * 100 + 'VERDICT')", output_limit=10)
    assert result["stdout"] == "...xxVERDICT\n"


def test_check_mode_does_not_run_the_command_unless_asked(tmp_path):
    marker = tmp_path / "ran"
    script = "open(%r, 'w').close()" % str(marker)
    result = gate(script, check_mode=True)
    assert result["skipped"] and result["success"] and not marker.exists()
    assert result["msg"].startswith("check mode: would run ")
    result = gate(script, check_mode=True, run_in_check_mode=True)
    assert not result["skipped"] and marker.exists()


def test_a_missing_program_is_a_failure_not_a_traceback():
    with pytest.raises(RunbookError) as raised:
        run_gate(dict(DEFAULTS, argv=["/nonexistent/suite"]), Redactor(), PhaseTimer(), False)
    assert "Cannot start /nonexistent/suite" in raised.value.msg


@pytest.mark.parametrize("argv, cmd, option", [
    (None, None, "argv"),
    (["a"], "a", "argv"),
    (None, "suite 'unclosed", "cmd"),
])
def test_the_command_is_given_one_way(argv, cmd, option):
    with pytest.raises(InputError) as raised:
        command_argv(argv, cmd)
    assert raised.value.details["option"] == option


def test_cmd_is_split_like_a_shell_without_one():
    assert command_argv(None, "suite --name 'two words' {url}") == ["suite", "--name", "two words", "{url}"]


def test_unknown_and_unset_placeholders_are_refused_before_anything_runs():
    with pytest.raises(InputError, match=r"\{target\} is no placeholder"):
        fill_placeholders(["suite", "{target}"], {})
    with pytest.raises(InputError) as raised:
        fill_placeholders(["suite", "{url}"], {"url": None})
    assert raised.value.details["option"] == "url"
    assert fill_placeholders(["suite", '{"json": 1}'], {}) == ["suite", '{"json": 1}']


@pytest.mark.parametrize("option, value", [("timeout", 0), ("output_limit", 0), ("chdir", "/nonexistent/dir")])
def test_bad_options_are_refused(option, value):
    with pytest.raises(InputError) as raised:
        gate("pass", **{option: value})
    assert raised.value.details["option"] == option
