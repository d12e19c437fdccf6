#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: metrics_gate
short_description: Gate a release on Prometheus measurements taken at intervals
version_added: 0.1.0
description:
  - Evaluates a PromQL instant query (O(query)) or a ready-made check of the runbooks' rollback
    triggers (O(check)) every O(interval) seconds, O(count) times or for O(duration) seconds, and
    judges each measurement against O(success_condition) and O(failure_condition).
  - Each measurement is a V(success), a V(failure) or V(inconclusive) (no data, Prometheus
    unreachable, or a value between the two conditions). The gate fails as soon as the failures
    exceed O(failure_limit), and at the end when the inconclusive measurements exceed
    O(inconclusive_limit). Inconclusive is not success.
  - A query returning several series is judged per series; a measurement fails when any series does.
    NaN (for example a rate of errors divided by a rate of zero requests) counts as no data.
  - With O(gates), several gates are evaluated at the same time, one thread each, against the same
    Prometheus connection options. Each gate takes its own query or check and any of the measuring
    options, and the module's own options for those it leaves out. The first gate that does not
    pass stops the others at their next wait (their verdict is V(stopped)), and the module fails
    naming that gate and its query. A canary step gated on several services and queries then takes
    as long as its longest gate, not the sum of them.
  - A gate can measure for minutes. Run it with C(async) and C(poll) (see the examples), so the play
    prints a line at every poll instead of staying silent until the gate ends.
  - Read-only; never reports C(changed) and behaves the same in check mode.
author:
  - runbook.ops maintainers (@runbook-ops)
seealso:
  - module: runbook.ops.smoke_check
    description: Measures the services directly instead of through Prometheus.
  - module: runbook.ops.traffic_shift
    description: The weight steps these gates judge.
extends_documentation_fragment:
  - runbook.ops.http_probe
attributes:
  check_mode:
    support: full
    description: Queries are read-only and run in check mode too.
  diff_mode:
    support: none
    description: Nothing is changed, so there is nothing to compare.
options:
  url:
    description:
      - Base URL of the Prometheus server (its HTTP API is under C(/api/v1)).
      - Required, unless every entry of O(gates) gives its own O(gates[].url).
    type: str
  query:
    description: PromQL instant query returning a scalar or an instant vector.
    type: str
  gates:
    description:
      - Gates evaluated concurrently, each like one call of this module. Options a gate leaves out
        come from the module's options; a gate giving O(gates[].count) or O(gates[].duration)
        replaces both of the module's.
      - The TLS, authentication, proxy and timeout options are the module's, shared by every gate.
      - Mutually exclusive with O(query) and O(check).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Names the gate in the result and in the failure message, for example C(bi-service error_rate).
          - Defaults to C(gate <position>), counting from 1. Names must differ.
        type: str
      url:
        description: Base URL of this gate's Prometheus server.
        type: str
      query:
        description: PromQL instant query; exactly one of O(gates[].query) and O(gates[].check).
        type: str
      check:
        description: A ready-made check, as O(check).
        type: dict
        suboptions:
          type:
            description: As O(check.type).
            type: str
            required: true
            choices: [error_rate, latency]
          selector:
            description: As O(check.selector).
            type: str
          window:
            description: As O(check.window).
            type: str
            default: 2m
          threshold:
            description: As O(check.threshold).
            type: float
          quantile:
            description: As O(check.quantile).
            type: float
            default: 0.95
      success_condition:
        description: As O(success_condition).
        type: str
      failure_condition:
        description: As O(failure_condition).
        type: str
      interval:
        description: As O(interval).
        type: float
      count:
        description: As O(count).
        type: int
      duration:
        description: As O(duration).
        type: float
      failure_limit:
        description: As O(failure_limit).
        type: int
      inconclusive_limit:
        description: As O(inconclusive_limit).
        type: int
      no_data:
        description: As O(no_data).
        type: str
        choices: [inconclusive, success, failure]
  check:
    description:
      - A ready-made query on the C(http_requests_total) counter and the
        C(http_request_duration_seconds) histogram, with a failure condition from its threshold.
    type: dict
    suboptions:
      type:
        description:
          - V(error_rate) - the share of 5xx responses over O(check.window).
          - V(latency) - the O(check.quantile) latency in seconds over O(check.window).
        type: str
        required: true
        choices: [error_rate, latency]
      selector:
        description: 'Label matchers without braces that select the release, e.g. C(job="judgment",color="green").'
        type: str
      window:
        description: Range of the rate, a Prometheus duration.
        type: str
        default: 2m
      threshold:
        description:
          - The measurement fails above this value; defaults to the runbooks' triggers, 0.05 for
            V(error_rate) and 2 (seconds) for V(latency).
        type: float
      quantile:
        description: Quantile for V(latency).
        type: float
        default: 0.95
  success_condition:
    description: 'A comparison the value must meet, e.g. C(value < 0.05).'
    type: str
  failure_condition:
    description:
      - 'A comparison that fails the measurement when it holds, e.g. C(value > 0.05). With O(check) it
        defaults to C(value > threshold) unless O(success_condition) is given.'
    type: str
  interval:
    description: Seconds between measurements.
    type: float
    default: 30
  count:
    description: Number of measurements; one when neither O(count) nor O(duration) is given.
    type: int
  duration:
    description: Measure for this many seconds instead of O(count) times.
    type: float
  failure_limit:
    description: Failed measurements tolerated; one more fails the gate at once.
    type: int
    default: 0
  inconclusive_limit:
    description: Inconclusive measurements tolerated.
    type: int
    default: 0
  no_data:
    description: How a measurement without data (no series, or NaN) counts.
    type: str
    default: inconclusive
    choices: [inconclusive, success, failure]
notes:
  - The runbooks roll back on an error rate over 5 % for 2 to 5 minutes and a p95 over 2 seconds for
    3 minutes; O(check) with O(duration) expresses both.
'''

EXAMPLES = r'''
- name: The canary's error rate stays under 5 % for three minutes
  runbook.ops.metrics_gate:
    url: http://prometheus.monitoring:9090
    check:
      type: error_rate
      selector: job="chat-service",track="canary"
      window: 1m
    interval: 30
    duration: 180

- name: p95 under 2 s, measured five times, one bad measurement tolerated
  runbook.ops.metrics_gate:
    url: https://prometheus.example.com
    bearer_token: "{{ prometheus_token }}"
    check:
      type: latency
      selector: job="bi-service"
    interval: 20
    count: 5
    failure_limit: 1

- name: Any PromQL, with the band between success and failure inconclusive
  runbook.ops.metrics_gate:
    url: http://127.0.0.1:9090
    query: sum(up{job="judgment-service"})
    success_condition: value >= 2
    failure_condition: value < 1
    no_data: failure

- name: Every gate of a canary step at once, printing a line every 30 s until the longest one ends
  runbook.ops.metrics_gate:
    url: http://prometheus.monitoring:9090
    interval: 30
    gates:
      - name: bi-service error_rate
        check: {type: error_rate, selector: 'service="bi-service",version="green"', window: 5m}
        duration: 300
      - name: bi-service latency
        check: {type: latency, selector: 'service="bi-service",version="green"', window: 3m}
        duration: 180
      - name: chat-interface-service error_rate
        check: {type: error_rate, selector: 'service="chat-interface-service",version="green"', window: 5m}
        duration: 300
  async: 600
  poll: 30
  register: step_gates
'''

RETURN = r'''
verdict:
  description:
    - V(success), V(failure) or V(inconclusive).
    - With O(gates), the worst verdict of the gates; V(failure) when a gate failed or was stopped.
  returned: always
  type: str
  sample: success
query:
  description: The PromQL evaluated.
  returned: when O(gates) is not given
  type: str
  sample: sum(up{job="judgment-service"})
gates:
  description: One result per entry of O(gates), in the order given.
  returned: when O(gates) is given
  type: list
  elements: dict
  contains:
    name: {description: The gate's name., type: str, sample: bi-service error_rate}
    query:
      description: The PromQL evaluated.
      type: str
      sample: >-
        (sum(rate(http_requests_total{service="bi-service",version="green",status=~"5.."}[5m])) or vector(0))
        / sum(rate(http_requests_total{service="bi-service",version="green"}[5m]))
    url: {description: The Prometheus server asked., type: str, sample: "http://prometheus.monitoring:9090"}
    verdict:
      description:
        - V(success), V(failure), V(inconclusive), or V(stopped) when another gate did not pass first.
      type: str
      sample: success
    measurements:
      description: Every measurement, as RV(measurements).
      type: list
      elements: dict
      sample:
        - at: '2025-06-03T02:10:00.412000Z'
          value: 0.0021
          values: {'{}': 0.0021}
          verdict: success
          error: null
    tally: {description: "Measurements per verdict.", type: dict, sample: {success: 10, failure: 0, inconclusive: 0}}
    started: {description: UTC time the gate started., type: str, sample: "2025-06-03T02:10:00.000000Z"}
    ended: {description: UTC time the gate ended., type: str, sample: "2025-06-03T02:15:00.412000Z"}
    elapsed_ms: {description: Milliseconds the gate took., type: float, sample: 300412.5}
    error:
      description: A query Prometheus rejected, or why the gate ended otherwise; null when it did not.
      type: str
      sample: null
  sample:
    - name: bi-service error_rate
      query: (sum(rate(http_requests_total{service="bi-service",version="green",status=~"5.."}[5m])) or vector(0)) / ...
      url: http://prometheus.monitoring:9090
      verdict: success
      measurements: []
      tally: {success: 10, failure: 0, inconclusive: 0}
      started: "2025-06-03T02:10:00.000000Z"
      ended: "2025-06-03T02:15:00.412000Z"
      elapsed_ms: 300412.5
      error: null
measurements:
  description: Every measurement, in order.
  returned: when O(gates) is not given
  type: list
  elements: dict
  sample:
    - at: '2026-12-02T01:25:26.446719Z'
      value: 1.0
      values: {'{job="judgment-service"}': 1.0}
      verdict: success
      error: null
    - at: '2026-12-02T01:25:53.972679Z'
      value: null
      values: {}
      verdict: inconclusive
      error: 'Prometheus is unreachable: connection refused: [Errno 111] Connection refused'
  contains:
    at:
      description: UTC time of the query.
      type: str
      sample: '2026-12-02T01:25:26.446719Z'
    value:
      description: The value (the highest series value); null without data.
      type: float
      sample: 1.0
    values:
      description: Value per series (label set).
      type: dict
      sample: {'{job="judgment-service"}': 1.0}
    verdict:
      description: V(success), V(failure) or V(inconclusive).
      type: str
      sample: success
    error:
      description: Why Prometheus gave no answer; null when it answered.
      type: str
      sample: 'Prometheus is unreachable: connection refused: [Errno 111] Connection refused'
tally:
  description: Measurements per verdict.
  returned: when O(gates) is not given
  type: dict
  sample: {success: 4, failure: 1, inconclusive: 0}
elapsed_ms:
  description: Milliseconds spent validating and measuring, and in total.
  returned: always
  type: dict
  sample: {validate: 1.2, measure: 180412.9, total: 180414.3}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.http_client import build_redactor, build_requester, http_argument_spec
from ansible_collections.runbook.ops.plugins.module_utils.metrics import gate, plan
from ansible_collections.runbook.ops.plugins.module_utils.module import run_module
from ansible_collections.runbook.ops.plugins.module_utils.timing import PhaseTimer

CHECK_OPTIONS = dict(
    type=dict(type='str', required=True, choices=['error_rate', 'latency']),
    selector=dict(type='str'),
    window=dict(type='str', default='2m'),
    threshold=dict(type='float'),
    quantile=dict(type='float', default=0.95),
)


GATE_OPTIONS = dict(
    name=dict(type='str'),
    url=dict(type='str'),
    query=dict(type='str'),
    check=dict(type='dict', options=CHECK_OPTIONS),
    success_condition=dict(type='str'),
    failure_condition=dict(type='str'),
    interval=dict(type='float'),
    count=dict(type='int'),
    duration=dict(type='float'),
    failure_limit=dict(type='int'),
    inconclusive_limit=dict(type='int'),
    no_data=dict(type='str', choices=['inconclusive', 'success', 'failure']),
)


def argument_spec():
    return dict(
        url=dict(type='str'),
        query=dict(type='str'),
        check=dict(type='dict', options=CHECK_OPTIONS),
        gates=dict(type='list', elements='dict', options=GATE_OPTIONS),
        success_condition=dict(type='str'),
        failure_condition=dict(type='str'),
        interval=dict(type='float', default=30),
        count=dict(type='int'),
        duration=dict(type='float'),
        failure_limit=dict(type='int', default=0),
        inconclusive_limit=dict(type='int', default=0),
        no_data=dict(type='str', default='inconclusive', choices=['inconclusive', 'success', 'failure']),
        **http_argument_spec()
    )


def evaluate(params, redactor):
    """The gate's result with every secret masked; a RunbookError, masked too, when it does not pass."""
    try:
        return redactor.value(measure(params, redactor))
    except RunbookError as error:
        raise redactor.error(error)


def measure(params, redactor):
    if params["gates"] is not None:
        return measure_all(params, redactor)
    timer = PhaseTimer()
    with timer.phase("validate"):
        gate_plan = plan.build(params)
        requester = build_requester(params, "runbook.ops.metrics_gate")
    with timer.phase("measure"):
        measurements, verdict = gate.run(requester, gate_plan, redactor=redactor)
    result = dict(changed=False, verdict=verdict, query=gate_plan["query"], measurements=measurements,
                  tally=gate.count(measurements), elapsed_ms=timer.as_dict())
    if verdict != "success":
        values = ", ".join(describe(measurement) for measurement in measurements)
        raise RunbookError("Metrics gate %s: %s measured [%s]" % (verdict, gate_plan["query"], values), **result)
    return result


def measure_all(params, redactor):
    timer = PhaseTimer()
    with timer.phase("validate"):
        gates = [dict(built, requester=build_requester(params, "runbook.ops.metrics_gate"))
                 for built in plan.build_gates(params)]
    with timer.phase("measure"):
        results = gate.run_all(gates, redactor=redactor)
    verdict = gate.overall(results)
    result = dict(changed=False, verdict=verdict, gates=results, elapsed_ms=timer.as_dict())
    if verdict != "success":
        raise RunbookError("Metrics gates %s: %s" % (verdict, "; ".join(summary(item) for item in ranked(results))),
                           **result)
    return result


def ranked(results):
    """The gates that decided the outcome first, then the stopped ones, then those that passed."""
    order = {"failure": 0, "inconclusive": 1, "stopped": 2, "success": 3}
    return sorted(results, key=lambda item: order[item["verdict"]])


def summary(result):
    if result["verdict"] == "stopped":
        taken = len(result["measurements"])
        return "gate %r stopped after %d measurement%s" % (result["name"], taken, "" if taken == 1 else "s")
    if result["verdict"] == "success":
        return "gate %r passed" % result["name"]
    values = ", ".join(describe(measurement) for measurement in result["measurements"])
    text = "gate %r %s: %s measured [%s]" % (result["name"], result["verdict"], result["query"], values)
    return "%s (%s)" % (text, result["error"]) if result["error"] else text


def describe(measurement):
    text = "%s %s" % (measurement["value"], measurement["verdict"])
    return "%s (%s)" % (text, measurement["error"]) if measurement["error"] else text


def main():
    spec = argument_spec()
    module = AnsibleModule(
        argument_spec=spec,
        mutually_exclusive=[('query', 'check', 'gates'), ('count', 'duration')],
        required_one_of=[('query', 'check', 'gates')],
        supports_check_mode=True,
    )
    redactor = build_redactor(spec, module.params)
    # The gate times its own phases; its elapsed_ms is the one reported.
    run_module(module, lambda timer: evaluate(module.params, redactor))


if __name__ == '__main__':
    main()
