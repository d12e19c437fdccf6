# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: gate_seconds
short_description: The longest time metrics_gate gates run together can take
version_added: 0.1.0
description:
  - For gates in the form of the O(runbook.ops.metrics_gate#module:gates) entries, the seconds the longest of
    them can take when every one of its measurements waits the whole O(timeout) for Prometheus.
  - Sizes C(async) of a task running the gates, so a slow Prometheus does not end the task before its gates do.
positional: interval, timeout
options:
  _input:
    description: Gates, each with C(duration) or C(count) and C(interval); a single gate is a dict.
    type: list
    elements: dict
    required: true
  interval:
    description: Seconds between measurements of a gate that gives no C(interval) (the module's default).
    type: float
    default: 30
  timeout:
    description: Seconds one query may take (the module's O(runbook.ops.metrics_gate#module:timeout)).
    type: float
    default: 10
"""

EXAMPLES = r"""
- name: All the gates of a canary step at once, a line every 30 s
  runbook.ops.metrics_gate:
    url: http://prometheus.monitoring:9090
    gates: "{{ step_gates }}"
  async: "{{ (step_gates | runbook.ops.gate_seconds) | int + 60 }}"
  poll: 30
"""

RETURN = r"""
_value:
  description: Seconds, 0 for no gates.
  type: float
  sample: 370.0
"""

from ansible.errors import AnsibleFilterError


def gate_seconds(gates, interval=30, timeout=10):
    if isinstance(gates, dict):
        gates = [gates]
    if not isinstance(gates, list) or not all(isinstance(gate, dict) for gate in gates):
        raise AnsibleFilterError("gate_seconds expects a list of gates (dicts), got %r" % (gates,))
    return max([longest(gate, float(interval), float(timeout)) for gate in gates] or [0.0])


def longest(gate, default_interval, timeout):
    """Measuring for duration takes at most duration / interval + 1 measurements; count takes count - 1 waits."""
    try:
        interval = float(gate.get("interval") or default_interval)
        if gate.get("duration") is not None:
            span = float(gate["duration"])
            measurements = int(span // interval) + 1
        else:
            measurements = int(gate.get("count") or 1)
            span = (measurements - 1) * interval
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("gate_seconds: a gate with an unusable interval, duration or count: %s" % exc)
    return span + measurements * timeout


class FilterModule(object):
    def filters(self):
        return {"gate_seconds": gate_seconds}
