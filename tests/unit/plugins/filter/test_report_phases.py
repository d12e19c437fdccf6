# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.runbook.ops.plugins.filter.report_phases import report_phases

MARKS = [{"phase": "preflight", "at": 100.0}, {"phase": "deploy_idle", "at": 103.524}, {"phase": "switch", "at": 110.0}]


def test_each_phase_lasts_until_the_next_mark_and_the_last_until_the_end():
    assert report_phases(MARKS, 111.006) == [
        {"name": "preflight", "duration_s": 3.52, "status": "ok"},
        {"name": "deploy_idle", "duration_s": 6.48, "status": "ok"},
        {"name": "switch", "duration_s": 1.01, "status": "ok"},
    ]


@pytest.mark.parametrize("outcome", ["failed", "switched_back"])
def test_a_run_that_did_not_succeed_failed_in_its_last_phase(outcome):
    statuses = [phase["status"] for phase in report_phases(MARKS, 111.0, outcome)]
    assert statuses == ["ok", "ok", "failed"]


def test_one_mark_lasts_until_the_end_and_no_marks_give_no_phases():
    assert report_phases([{"phase": "backup", "at": 5}], 7.5, "failed") == [
        {"name": "backup", "duration_s": 2.5, "status": "failed"}]
    assert report_phases([], 7.5, "failed") == []


@pytest.mark.parametrize("marks", [None, {"phase": "x"}, [{"phase": "x"}], ["x"]])
def test_marks_that_are_not_marks_are_refused(marks):
    with pytest.raises(AnsibleFilterError, match="list of marks with phase and at"):
        report_phases(marks, 1.0)
