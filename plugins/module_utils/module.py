# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The body every module's ``main()`` shares: run timed, then exit with the result or fail with the error."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError, fail_with
from ansible_collections.runbook.ops.plugins.module_utils.timing import PhaseTimer


def run_module(module, run, failure=None):
    """Exit ``module`` with ``run(timer)``'s result, or fail with the RunbookError it raises.

    Both carry ``elapsed_ms`` and, on failure, ``changed=False``, unless the result or the error's details
    give their own. ``failure(error)`` may first turn the error into the one to report.
    """
    timer = PhaseTimer()
    try:
        result = run(timer)
    except RunbookError as error:
        fail_with(module, failure(error) if failure else error, changed=False, elapsed_ms=timer.as_dict())
    outcome = dict(elapsed_ms=timer.as_dict())
    outcome.update(result)
    module.exit_json(**outcome)
