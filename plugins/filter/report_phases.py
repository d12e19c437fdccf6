# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: report_phases
short_description: The phases of a run, timed, for its report
version_added: 0.1.0
description:
  - Turns the marks a run leaves as each phase starts into the C(phases) of its report - each phase lasts from
    its mark to the next one's, the last to O(ended).
  - When O(outcome) is not C(succeeded), the last phase is the one that failed.
positional: ended, outcome
options:
  _input:
    description: The marks, in order, each with C(phase) (its name) and C(at) (epoch seconds).
    type: list
    elements: dict
    required: true
  ended:
    description: When the run ended, in epoch seconds.
    type: float
    required: true
  outcome:
    description: The run's outcome (C(succeeded), C(failed), ...).
    type: str
    default: succeeded
"""

EXAMPLES = r"""
- name: Time the phases of the run
  ansible.builtin.debug:
    msg: "{{ report_phase_marks | runbook.ops.report_phases(now(utc=true).timestamp(), runbook_outcome) }}"
"""

RETURN = r"""
_value:
  description: One entry per mark - C(name), C(duration_s) (rounded to hundredths) and C(status) (C(ok) or C(failed)).
  type: list
  elements: dict
  sample: [{name: preflight, duration_s: 3.52, status: ok}, {name: switch, duration_s: 1.07, status: failed}]
"""

from ansible.errors import AnsibleFilterError


def report_phases(marks, ended, outcome="succeeded"):
    if not isinstance(marks, list) or not all(isinstance(mark, dict) and "phase" in mark and "at" in mark
                                              for mark in marks):
        raise AnsibleFilterError("report_phases expects a list of marks with phase and at, got %r" % (marks,))
    ends = [mark["at"] for mark in marks[1:]] + [ended]
    failed_last = outcome != "succeeded"
    return [{"name": mark["phase"], "duration_s": round(until - mark["at"], 2),
             "status": "failed" if failed_last and index == len(marks) - 1 else "ok"}
            for index, (mark, until) in enumerate(zip(marks, ends))]


class FilterModule(object):
    def filters(self):
        return {"report_phases": report_phases}
