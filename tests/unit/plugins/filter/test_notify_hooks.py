# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.filter.notify_hooks import hooks_for_event, undelivered_notices

SLACK = {"url": "https://hooks.example.com/T1/secret", "type": "slack", "events": ["failed"]}
PLAIN = {"url": "https://ops.example.com/hook"}


def test_a_hook_without_events_gets_the_default_ones():
    assert hooks_for_event([SLACK, PLAIN], "failed", ["succeeded", "failed"]) == [SLACK, PLAIN]
    assert hooks_for_event([SLACK, PLAIN], "succeeded", ["succeeded", "failed"]) == [PLAIN]
    assert hooks_for_event([SLACK, PLAIN], "succeeded", ["failed"]) == []


def test_undelivered_notifications_are_said_without_their_url():
    sent = [
        {"item": SLACK, "status": 500, "msg": "Status code was 500 at https://hooks.example.com/T1/secret"},
        {"item": PLAIN, "status": 204},
        {"item": PLAIN, "status": -1},
        {"item": PLAIN},
    ]
    assert undelivered_notices(sent, [SLACK, PLAIN], "failed") == [
        "WARNING: the failed notification to webhook 1 (slack) was not delivered (the run's outcome is unchanged):"
        " HTTP 500: Status code was 500 at <webhook URL>",
        "WARNING: the failed notification to webhook 2 (json) was not delivered (the run's outcome is unchanged):"
        " HTTP -1: no answer",
        "WARNING: the failed notification to webhook 2 (json) was not delivered (the run's outcome is unchanged):"
        " HTTP -: no answer",
    ]
