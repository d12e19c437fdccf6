#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: smoke_check
short_description: Measured HTTP verification of a service, with SLO gates and a JSON report
version_added: "0.1.0"
description:
  - Sends every check in O(checks) O(samples) times to O(base_url), O(concurrency) requests at a time,
    and judges each response by status, body and assertions on the JSON document.
  - Reports per check and overall the count, errors, error rate, latency percentiles
    (nearest-rank method) and the first error messages verbatim.
  - Fails when a gate of O(thresholds) is breached, overall or by any single check, unless
    O(fail_on_breach=false).
  - Optionally waits until a readiness check passes before sampling (O(wait_for)).
  - Uses only the Python standard library and Ansible's URL helpers.
  - Read-only towards the service; never reports RV(changed). The report file of O(report_path) is
    the module's output and is written in check mode too.
author:
  - runbook.ops maintainers (@runbook-ops)
seealso:
  - module: runbook.ops.metrics_gate
    description: Gates on Prometheus measurements instead of probing the services.
  - module: runbook.ops.bluegreen_switch
    description: The switch the verify phase smoke-checks around.
  - module: ansible.builtin.uri
    description: A single HTTP request, without percentiles or gates.
extends_documentation_fragment:
  - runbook.ops.http_probe
attributes:
  check_mode:
    support: full
    description: Requests are read-only probes, so check mode runs them as usual.
  diff_mode:
    support: none
    description: Nothing is changed, so there is nothing to diff.
options:
  base_url:
    description:
      - The service to verify, as C(http://host:port) or C(https://host:port/prefix).
      - Check paths are resolved against it.
    type: str
    required: true
  checks:
    description:
      - The requests to send and how to judge their responses.
    type: list
    elements: dict
    required: true
    suboptions: &check_options
      name:
        description:
          - Unique name of the check in the result; defaults to O(checks[].path).
        type: str
      path:
        description:
          - Path relative to O(base_url) (or an absolute URL).
        type: str
        default: /
      method:
        description:
          - HTTP method.
        type: str
        default: GET
        choices: [GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS]
      headers:
        description:
          - Extra request headers. Values of headers whose names carry credentials (C(Authorization),
            C(Cookie), C(X-Api-Key), names containing C(token), C(secret), C(auth) ...) are masked in
            the result and the report, but the task's arguments show them at C(-vvv); use
            O(secret_headers) for secrets.
        type: dict
      json:
        description:
          - "Request body, sent as JSON with C(Content-Type: application/json)."
          - Mutually exclusive with O(checks[].body).
        type: raw
      body:
        description:
          - Raw request body, sent as UTF-8.
        type: str
      status_codes:
        description:
          - Accepted response status codes.
        type: list
        elements: int
        default: [200]
      body_contains:
        description:
          - A substring the response body must contain.
        type: str
      body_regex:
        description:
          - A Python regular expression the response body must match (search).
        type: str
      assertions:
        description:
          - Assertions on the JSON response, all of which must hold, written
            C(PATH [| length] OPERATOR VALUE).
          - PATH is dotted keys with list indexes (C(data.items[0].id)); C(.) is the whole document.
          - OPERATOR is one of C(==), C(!=), C(<), C(<=), C(>), C(>=), C(in), C(not in), C(contains),
            C(matches) (regular expression search), C(exists), C(absent).
          - VALUE is JSON or bare words, for example C(success == true), C(status in [ok, healthy]),
            C(items | length > 0).
          - A response that is not JSON fails every check that has assertions.
        type: list
        elements: str
      max_latency_ms:
        description:
          - A response slower than this many milliseconds counts as an error of this check.
        type: float
  wait_for:
    description:
      - A readiness check (same keys as an item of O(checks)) probed every O(ready_interval) seconds
        until it passes, before any sample is taken.
      - When it does not pass within O(ready_timeout) the task fails (whatever O(fail_on_breach) says)
        with the last error seen.
    type: dict
    suboptions: *check_options
  ready_timeout:
    description:
      - Seconds to keep probing O(wait_for).
    type: float
    default: 60
  ready_interval:
    description:
      - Seconds between two probes of O(wait_for).
    type: float
    default: 0.5
  samples:
    description:
      - How many times each check is sent.
    type: int
    default: 10
  concurrency:
    description:
      - How many requests are in flight at once.
    type: int
    default: 4
  thresholds:
    description:
      - SLO gates, applied to the overall figures and to each check. A gate is breached when the
        measured value is equal to or above the threshold (the SLO reads "p95 < 500 ms").
      - Keys are C(p95_ms), C(p99_ms) and C(error_rate) (a fraction, C(0.01) is 1 %). Keys not given
        keep their defaults C(p95_ms=500), C(p99_ms=null) (off), C(error_rate=0.01); C(null) turns a gate off.
    type: dict
  fail_on_breach:
    description:
      - Fail the task when a gate is breached. With V(false) the result reports the breaches in
        RV(breaches) and RV(success) is V(false), but the task succeeds.
    type: bool
    default: true
  report_path:
    description:
      - Write the JSON report (RV(schema_version), RV(success), RV(checks), ...) to this file,
        atomically. The schema is documented in C(docs/smoke_check.md) of the collection.
    type: path
notes:
  - Percentiles use the nearest-rank method over the samples that got an HTTP response; samples
    without a response (refused, timeout, TLS failure) count as errors only.
  - The result never contains request headers. Every form of a secret a service may echo back is
    masked as C(********) in the result and in the report of O(report_path) - the values of
    O(bearer_token), O(url_password) and O(secret_headers), C(Bearer <token>), the base64 of
    C(user:password), their URL- and JSON-escaped forms, and the values of O(checks[].headers)
    whose names carry credentials (C(Authorization), C(Cookie), C(X-Api-Key), names with C(token),
    C(secret), C(session), C(auth) ...). Excerpts are masked before they are cut short.
'''

EXAMPLES = r'''
- name: Verify the release before switching traffic
  runbook.ops.smoke_check:
    base_url: "http://judgment-service-preview.judgify-staging:8002"
    wait_for:
      path: /ready
    ready_timeout: 120
    samples: 20
    concurrency: 8
    thresholds:
      p95_ms: 500
      error_rate: 0.01
    checks:
      - name: health
        path: /health
        assertions:
          - status in [ok, healthy]
      - name: version
        path: /version
        assertions:
          - release == v2.0.0
      - name: echo
        path: /api/echo
        method: POST
        json: {case: smoke}
        assertions:
          - success == true
          - items | length > 0
        max_latency_ms: 800
    report_path: /var/tmp/smoke-report.json

- name: Measure over TLS with a private CA and a token, report breaches without failing
  runbook.ops.smoke_check:
    base_url: "https://api.internal.example:8443"
    ca_path: /etc/pki/internal-ca.pem
    bearer_token: "{{ vault_api_token }}"
    secret_headers:
      X-Api-Key: "{{ vault_api_key }}"
    fail_on_breach: false
    checks:
      - path: /health
  register: smoke

- name: Show which gate was breached
  ansible.builtin.debug:
    msg: "{{ smoke.breaches }}"
  when: not smoke.success
'''

RETURN = r'''
schema_version:
  description: Version of the report schema (C(docs/smoke_check.md)).
  returned: always
  type: int
  sample: 1
success:
  description: True when wait_for passed and no gate was breached.
  returned: always
  type: bool
  sample: true
target:
  description: The O(base_url) probed.
  returned: always
  type: str
  sample: http://127.0.0.1:8000
started_at:
  description: UTC time sampling started (after validation), ISO 8601.
  returned: always
  type: str
  sample: "2026-11-23T01:00:00.000000Z"
finished_at:
  description: UTC time the figures were computed, ISO 8601.
  returned: always
  type: str
  sample: "2026-11-23T01:00:02.500000Z"
percentile_method:
  description: How percentiles are computed.
  returned: always
  type: str
  sample: nearest-rank
thresholds:
  description: The gates applied, defaults filled in; C(null) means off.
  returned: always
  type: dict
  sample: {p95_ms: 500.0, p99_ms: null, error_rate: 0.01}
wait_for:
  description: Outcome of O(wait_for).
  returned: always
  type: dict
  sample: {ready: true, attempts: 1, waited_ms: 8.6, last_error: null}
  contains:
    ready:
      description: Whether the readiness check passed (true when there was none).
      type: bool
      sample: true
    attempts:
      description: Probes sent.
      type: int
      sample: 1
    waited_ms:
      description: Time spent waiting.
      type: float
      sample: 8.6
    last_error:
      description: Error of the last failed probe when not ready.
      type: str
      sample: 'connection refused: [Errno 111] Connection refused'
overall:
  description: Figures over all samples of all checks.
  returned: always
  type: dict
  contains:
    count:
      description: Samples taken.
      type: int
      sample: 40
    errors:
      description: Samples that failed.
      type: int
      sample: 1
    error_rate:
      description: errors / count.
      type: float
      sample: 0.025
    error_messages:
      description: The first five error messages, verbatim.
      type: list
      elements: str
      sample: ['status 500 not in [200]: {"error": "injected failure", "color": "green"}']
    latency_ms:
      description: C(min), C(p50), C(p90), C(p95), C(p99), C(max) in milliseconds (C(null) without responses).
      type: dict
      sample: {min: 1.2, p50: 2.0, p90: 3.1, p95: 3.5, p99: 9.8, max: 9.8}
  sample:
    count: 40
    errors: 1
    error_rate: 0.025
    error_messages: ["status 500 not in [200]: {\"error\": \"injected failure\"}"]
    latency_ms: {min: 1.2, p50: 2.0, p90: 3.1, p95: 3.5, p99: 9.8, max: 9.8}
checks:
  description: The figures of RV(overall) for each check, plus its identity and gate outcome.
  returned: always
  type: list
  elements: dict
  sample:
    - name: health
      method: GET
      url: 'http://127.0.0.1:8000/health'
      passed: false
      breaches: [error_rate]
      count: 20
      errors: 1
      error_rate: 0.05
      error_messages: ['status 500 not in [200]: {"error": "injected failure", "color": "green"}']
      latency_ms: {min: 14.0, p50: 28.1, p90: 44.2, p95: 44.6, p99: 52.9, max: 52.9}
  contains:
    name:
      description: Check name.
      type: str
      sample: health
    method:
      description: HTTP method.
      type: str
      sample: GET
    url:
      description: Absolute URL requested.
      type: str
      sample: 'http://127.0.0.1:8000/health'
    passed:
      description: No gate breached by this check.
      type: bool
      sample: false
    breaches:
      description: Names of the gates this check breached.
      type: list
      elements: str
      sample: [error_rate]
breaches:
  description: Every breached gate; scope is C(overall) or a check name.
  returned: always
  type: list
  elements: dict
  sample: [{scope: overall, gate: p95_ms, threshold: 500.0, value: 612.4}]
report_path:
  description: Where the report was written, or null.
  returned: always
  type: str
  sample: reports/smoke-prod-live-judgment-service.json
elapsed_ms:
  description: Duration of each phase (validate, wait_for, sample, gate) and the total.
  returned: always
  type: dict
  sample: {validate: 1.1, wait_for: 0.0, sample: 812.3, gate: 0.4, total: 814.0}
changed:
  description: Always false; the module only reads.
  returned: always
  type: bool
  sample: false
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.runbook.ops.plugins.module_utils.http_client import http_argument_spec
from ansible_collections.runbook.ops.plugins.module_utils.module import run_module
from ansible_collections.runbook.ops.plugins.module_utils.smoke.runner import redactor_for, run

CHECK_OPTIONS = dict(
    name=dict(type='str'),
    path=dict(type='str', default='/'),
    method=dict(type='str', default='GET', choices=['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
    headers=dict(type='dict'),
    json=dict(type='raw'),
    body=dict(type='str'),
    status_codes=dict(type='list', elements='int', default=[200]),
    body_contains=dict(type='str'),
    body_regex=dict(type='str'),
    assertions=dict(type='list', elements='str'),
    max_latency_ms=dict(type='float'),
)


def argument_spec():
    return dict(
        base_url=dict(type='str', required=True),
        checks=dict(type='list', elements='dict', required=True, options=CHECK_OPTIONS),
        wait_for=dict(type='dict', options=CHECK_OPTIONS),
        ready_timeout=dict(type='float', default=60),
        ready_interval=dict(type='float', default=0.5),
        samples=dict(type='int', default=10),
        concurrency=dict(type='int', default=4),
        thresholds=dict(type='dict'),
        fail_on_breach=dict(type='bool', default=True),
        report_path=dict(type='path'),
        **http_argument_spec()
    )


def main():
    spec = argument_spec()
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    redactor = redactor_for(spec, module.params)
    run_module(module, lambda timer: run(module.params, redactor, timer))


if __name__ == '__main__':
    main()
