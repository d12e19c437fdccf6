# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: failure_message
short_description: What a failed task said, for the run report
version_added: 0.1.0
description:
  - The C(msg) of a failed task's result (C(ansible_failed_result)). A looped task says only
    C(One or more items failed); its failed items' own messages are what an engineer needs, so each
    becomes its label, a colon and its message, joined with semicolons.
options:
  _input:
    description: The failed task's result.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Record the failure
  ansible.builtin.set_fact:
    runbook_failure: "{{ ansible_failed_result | runbook.ops.failure_message }}"
"""

RETURN = r"""
_value:
  description: The message, C(phase failed without a message) when there is none.
  type: str
"""

NO_MESSAGE = "phase failed without a message"


def failure_message(result):
    failed_items = [item for item in (result or {}).get("results") or [] if isinstance(item, dict) and item.get("failed")]
    if failed_items:
        return "; ".join(item_message(item) for item in failed_items)
    return (result or {}).get("msg") or NO_MESSAGE


def item_message(item):
    label = item.get("_ansible_item_label", item.get("item"))
    if isinstance(label, dict):
        label = label.get("name", label)
    message = item.get("msg") or NO_MESSAGE
    return "%s: %s" % (label, message) if label not in (None, "") else message


class FilterModule(object):
    def filters(self):
        return {"failure_message": failure_message}
