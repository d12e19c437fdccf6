#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: verify_command
short_description: Run a team's own test command against a color and gate on its outcome
version_added: "0.1.0"
description:
  - Runs a test suite the service's team maintains (for example C(production_smoke_tests.py) of the
    platform's deploy runbook) on the host the task runs on, against one color of one service, and
    passes when it exits with status 0 within O(timeout) seconds.
  - With O(json=true) the command's JSON report must also say C(success) V(true) - the report the
    command writes to C({result_file}), or its standard output when the command does not use that
    placeholder.
  - Placeholders in the command - C({url}) (O(url)), C({service}) (O(service)), C({color}) (O(color))
    and C({result_file}) (a fresh file path the module removes afterwards). Any other C({word}) is refused.
  - The command runs without a shell, in its own process group; when O(timeout) passes the whole
    group is sent SIGTERM, and SIGKILL 5 seconds later.
  - Never reports C(changed); a failed gate is RV(success=false), and fails the task unless
    O(fail_on_failure=false).
author:
  - runbook.ops maintainers (@runbook-ops)
seealso:
  - module: runbook.ops.smoke_check
    description: The collection's own measured HTTP checks, run before this gate by the verify role.
  - module: ansible.builtin.command
    description: Runs a command, without a timeout, placeholders or a verdict on its report.
attributes:
  check_mode:
    support: partial
    description: Can run in check_mode and return changed status prediction without modifying target.
    details:
      - The command is the team's code and may change what it tests, so check mode does not run it
        unless O(run_in_check_mode=true); the result then says what would run (RV(skipped)).
  diff_mode:
    support: none
    description: Nothing is changed, so there is nothing to diff.
options:
  name:
    description:
      - Name of the gate in the result and the report; defaults to the program's name.
    type: str
  argv:
    description:
      - The program and its arguments, each a word, placeholders filled in.
      - Mutually exclusive with O(cmd); one of them is required.
    type: list
    elements: str
  cmd:
    description:
      - The command as one string, split into words as a shell would (quotes respected), with no
        shell features (no pipes, redirections or variables).
    type: str
  url:
    description:
      - The URL of the color under test, for C({url}).
    type: str
  service:
    description:
      - The service's name, for C({service}).
    type: str
  color:
    description:
      - The color under test, for C({color}).
    type: str
  json:
    description:
      - The command writes a JSON object whose C(success) field must be V(true), to C({result_file})
        or to its standard output.
    type: bool
    default: false
  timeout:
    description:
      - Seconds the command may run before it is killed and the gate fails.
    type: float
    default: 600
  chdir:
    description:
      - Directory to run the command in.
    type: path
  environment:
    description:
      - Variables added to the command's environment.
    type: dict
  secret_environment:
    description:
      - Variables added to the command's environment whose values are secrets (tokens, passwords).
        Their values are masked in RV(stdout), RV(stderr), RV(report) and RV(command).
    type: dict
  output_limit:
    description:
      - Characters of the end of standard output and of standard error kept in the result.
    type: int
    default: 20000
  fail_on_failure:
    description:
      - Fail the task when the gate fails. With V(false) the result says RV(success=false) and the
        task succeeds, so a caller can judge several gates together.
    type: bool
    default: true
  run_in_check_mode:
    description:
      - Run the command in check mode too, for test suites that only read.
    type: bool
    default: false
notes:
  - The command runs with the environment of the Ansible process plus O(environment) and O(secret_environment),
    and with no standard input.
'''

EXAMPLES = r'''
- name: The team's smoke suite against the idle color, gated on its JSON report
  runbook.ops.verify_command:
    name: production-smoke
    argv: [python3, tests/smoke/production_smoke_tests.py, --base-url, "{url}", --output-json, "{result_file}"]
    json: true
    url: "http://judgment-service-preview.judgify-staging:8002"
    service: judgment-service
    color: green
    timeout: 300
    secret_environment:
      SMOKE_API_TOKEN: "{{ vault_smoke_token }}"

- name: A critical-path check whose exit status is the verdict, judged with other gates later
  runbook.ops.verify_command:
    cmd: "python3 tests/smoke/critical_path_tests.py --base-url {url}"
    url: "http://127.0.0.1:8102"
    fail_on_failure: false
  register: critical_path
'''

RETURN = r'''
success:
  description: True when the command exited with status 0 in time (and its report said C(success) V(true) with O(json)).
  returned: always
  type: bool
  sample: true
skipped:
  description: True in check mode when the command was not run.
  returned: always
  type: bool
  sample: false
command:
  description: The words run, placeholders filled in, secrets masked.
  returned: always
  type: list
  elements: str
  sample: [python3, tests/smoke/production_smoke_tests.py, --base-url, "http://127.0.0.1:8102",
           --output-json, /tmp/runbook-verify-x1y2/result.json]
rc:
  description: Exit status; negative when a signal ended the command (the timeout's SIGTERM is -15).
  returned: when the command ran
  type: int
  sample: 0
timed_out:
  description: The command ran past O(timeout) and was killed.
  returned: when the command ran
  type: bool
  sample: false
duration_ms:
  description: Wall time of the command.
  returned: when the command ran
  type: float
  sample: 2315.4
stdout:
  description: The last O(output_limit) characters of standard output, secrets masked.
  returned: when the command ran
  type: str
  sample: "12 passed in 2.1s"
stderr:
  description: The last O(output_limit) characters of standard error, secrets masked.
  returned: when the command ran
  type: str
  sample: ""
report:
  description: The command's JSON report with O(json), secrets masked; V(null) when there is none or it is not JSON.
  returned: when the command ran
  type: dict
  sample: {success: true, passed: 12, failed: 0}
msg:
  description: The gate's name and why it passed or failed.
  returned: always
  type: str
  sample: "production-smoke: exited with status 0 and its report says success: true"
elapsed_ms:
  description: Milliseconds spent per phase (C(validate), C(run)) and in total.
  returned: always
  type: dict
  sample: {validate: 2316.0, run: 2315.6, total: 2316.4}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.runbook.ops.plugins.module_utils.module import run_module
from ansible_collections.runbook.ops.plugins.module_utils.redact import Redactor, no_log_values
from ansible_collections.runbook.ops.plugins.module_utils.smoke.command import run_gate


def argument_spec():
    return dict(
        name=dict(type='str'),
        argv=dict(type='list', elements='str'),
        cmd=dict(type='str'),
        url=dict(type='str'),
        service=dict(type='str'),
        color=dict(type='str'),
        json=dict(type='bool', default=False),
        timeout=dict(type='float', default=600),
        chdir=dict(type='path'),
        environment=dict(type='dict'),
        secret_environment=dict(type='dict', no_log=True),
        output_limit=dict(type='int', default=20000),
        fail_on_failure=dict(type='bool', default=True),
        run_in_check_mode=dict(type='bool', default=False),
    )


def main():
    spec = argument_spec()
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True,
                           mutually_exclusive=[('argv', 'cmd')], required_one_of=[('argv', 'cmd')])
    redactor = Redactor(no_log_values(spec, module.params))
    run_module(module, lambda timer: run_gate(module.params, redactor, timer, module.check_mode))


if __name__ == '__main__':
    main()
