# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A team's own test command as a gate: placeholders filled in, run bounded in time, judged by its
exit status and, for JSON reports, by the report's ``success`` field.

Written with ``subprocess`` rather than ``AnsibleModule.run_command``: that has no timeout, and a
test suite that hangs must be killed with every process it started (its process group), or the
deploy waits forever on a grandchild holding the output pipe.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shlex
import signal
import subprocess
import shutil
import tempfile
import time
from contextlib import contextmanager

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.timing import now_ms

PLACEHOLDERS = ("url", "service", "color", "result_file")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# A report larger than this is not a test report; reading it whole would only cost memory.
MAX_REPORT_BYTES = 16 * 1024 * 1024
KILL_GRACE_SECONDS = 5


def command_argv(argv, cmd):
    """The command as a list, from ``argv`` or from the one string ``cmd`` split as a shell would."""
    if bool(argv) == bool(cmd):
        raise InputError("argv", argv, "give the command either as argv (a list) or as cmd (one string), not both")
    if argv:
        return [str(word) for word in argv]
    try:
        return shlex.split(cmd)
    except ValueError as exc:
        raise InputError("cmd", cmd, "it cannot be split into words (%s)" % exc)


def fill_placeholders(argv, values):
    """``argv`` with {url}, {service}, {color} and {result_file} replaced; unknown or unset ones refused."""
    filled = []
    for word in argv:
        for name in _PLACEHOLDER.findall(word):
            if name not in PLACEHOLDERS:
                raise InputError("argv", word, "{%s} is no placeholder; use %s" % (
                    name, ", ".join("{%s}" % known for known in PLACEHOLDERS)))
            if values.get(name) is None:
                raise InputError(name, None, "the command uses {%s}, so give %s" % (name, name))
        filled.append(_PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), word))
    return filled


def uses_result_file(argv):
    return any("{result_file}" in word for word in argv)


class CommandRun:
    """The outcome of one run: exit status, output, duration, and whether it timed out."""

    def __init__(self, rc, stdout, stderr, duration_ms, timed_out):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.duration_ms = duration_ms
        self.timed_out = timed_out


def run(argv, timeout, chdir=None, environment=None):
    """Run ``argv`` without a shell, killing its whole process group when ``timeout`` seconds pass.

    Output goes to temporary files, so a chatty suite costs disk, not memory; both are read back whole.
    """
    env = dict(os.environ)
    env.update(environment or {})
    started = time.monotonic()
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        try:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                       cwd=chdir, env=env, start_new_session=True)
        except OSError as exc:
            raise RunbookError("Cannot start %s: %s" % (argv[0], exc.strerror or exc), rc=None)
        timed_out = _wait_or_kill(process, timeout)
        return CommandRun(process.returncode, _read(stdout), _read(stderr), now_ms(started), timed_out)


def _wait_or_kill(process, timeout):
    try:
        process.wait(timeout=timeout)
        return False
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=KILL_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        return True


def _signal_group(process, signum):
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def _read(stream):
    stream.seek(0)
    return stream.read().decode("utf-8", "replace")


def read_report(run_outcome, result_file):
    """The JSON report: the file the command wrote to {result_file}, or else its standard output."""
    if result_file is None:
        text, origin = run_outcome.stdout, "its standard output"
    else:
        origin = result_file
        try:
            if os.path.getsize(result_file) > MAX_REPORT_BYTES:
                return None, "the report %s is larger than %d bytes" % (result_file, MAX_REPORT_BYTES)
            with open(result_file, encoding="utf-8", errors="replace") as stream:
                text = stream.read()
        except OSError as exc:
            return None, "it wrote no report to %s (%s)" % (result_file, exc.strerror or exc)
    try:
        document = json.loads(text)
    except ValueError as exc:
        return None, "%s is not JSON (%s)" % (origin, exc)
    if not isinstance(document, dict):
        return None, "%s is JSON but not an object with a success field" % origin
    return document, None


def verdict(run_outcome, timeout, document=None, report_error=None, expect_json=False):
    """``(success, reason)``: exit status 0, not timed out, and for JSON reports ``success: true``."""
    if run_outcome.timed_out:
        return False, "timed out after %s s and was killed" % _seconds(timeout)
    if run_outcome.rc != 0:
        return False, "exited with status %s" % run_outcome.rc
    if not expect_json:
        return True, "exited with status 0"
    if report_error:
        return False, report_error
    if "success" not in document:
        return False, "its report has no success field"
    if document["success"] is not True:
        return False, "its report says success: %s" % json.dumps(document["success"])
    return True, "exited with status 0 and its report says success: true"


def _seconds(value):
    return int(value) if float(value).is_integer() else value


def tail(text, limit):
    """The last ``limit`` characters of ``text`` (a test's verdict is at its end), marked when cut."""
    return text if len(text) <= limit else "..." + text[-limit:]


def run_gate(params, redactor, timer, check_mode):
    """Run the command of ``params`` once and judge it; the module's whole result."""
    with timer.phase("validate"):
        template = command_argv(params["argv"], params["cmd"])
        _check_option(params, "timeout", params["timeout"] > 0, "give a number of seconds above 0")
        _check_option(params, "output_limit", params["output_limit"] > 0, "give a number of characters above 0")
        if params["chdir"] and not os.path.isdir(params["chdir"]):
            raise InputError("chdir", params["chdir"], "it is not a directory on the controller")
        with _result_file(template) as result_file:
            argv = fill_placeholders(template, dict(params, result_file=result_file))
            shown = redactor.value(argv)
            if check_mode and not params["run_in_check_mode"]:
                return dict(changed=False, skipped=True, success=True, command=shown,
                            msg="check mode: would run %s" % " ".join(shlex.quote(word) for word in shown))
            with timer.phase("run"):
                outcome = run(argv, params["timeout"], params["chdir"], _environment(params))
            document, report_error = (read_report(outcome, result_file) if params["json"] else (None, None))
    success, reason = verdict(outcome, params["timeout"], document, report_error, params["json"])
    result = dict(changed=False, skipped=False, success=success, command=shown, rc=outcome.rc,
                  timed_out=outcome.timed_out, duration_ms=outcome.duration_ms,
                  stdout=redactor.text(tail(outcome.stdout, params["output_limit"])),
                  stderr=redactor.text(tail(outcome.stderr, params["output_limit"])),
                  report=redactor.value(document) if document is not None else None)
    message = "%s: %s" % (params["name"] or shown[0], reason)
    if not success and params["fail_on_failure"]:
        raise RunbookError(message, **result)
    # Ansible takes a result with a non-zero rc and no failed key for a failure.
    result.update(msg=message, failed=False)
    return result


def _check_option(params, option, valid, fix):
    if not valid:
        raise InputError(option, params[option], fix)


def _environment(params):
    environment = dict(params["environment"] or {})
    environment.update(params["secret_environment"] or {})
    return dict((str(key), str(value)) for key, value in environment.items())


@contextmanager
def _result_file(argv):
    """A fresh path for {result_file} when the command uses it, removed afterwards; else None."""
    if not uses_result_file(argv):
        yield None
        return
    directory = tempfile.mkdtemp(prefix="runbook-verify-")
    try:
        yield os.path.join(directory, "result.json")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
