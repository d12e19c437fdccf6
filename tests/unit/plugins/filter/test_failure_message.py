# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.filter.failure_message import failure_message


def test_a_task_failure_is_its_message():
    assert failure_message({"failed": True, "msg": "Smoke checks failed on the idle color"}) == \
        "Smoke checks failed on the idle color"
    assert failure_message({}) == failure_message(None) == "phase failed without a message"


def test_a_loop_failure_is_the_messages_of_its_failed_items():
    result = {"failed": True, "msg": "One or more items failed", "results": [
        {"failed": False, "item": {"name": "bi-service"}, "msg": "All assertions passed"},
        {"failed": True, "item": {"name": "judgment-service"}, "_ansible_item_label": "judgment-service",
         "msg": "runbook_services: judgment-service: manifest m.yml is not an apps/v1 Deployment"},
        {"failed": True, "item": {"name": "api-gateway-service"}, "msg": "HTTP 422 Unprocessable Entity"},
        {"failed": True, "item": "plain", "msg": ""},
        "not a result",
    ]}
    assert failure_message(result) == (
        "judgment-service: runbook_services: judgment-service: manifest m.yml is not an apps/v1 Deployment; "
        "api-gateway-service: HTTP 422 Unprocessable Entity; plain: phase failed without a message")
