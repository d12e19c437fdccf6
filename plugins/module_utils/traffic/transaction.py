# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply a change to every member of a group, or to none: undo the applied ones when one fails."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError, describe_error


def apply_all(names, apply, restore):
    """Call apply(name) for each name; on the first failure restore the applied ones and raise."""
    applied = []
    for name in names:
        try:
            apply(name)
        except Exception as exc:  # pylint: disable=broad-except
            raise undo(applied, restore, name, exc)
        applied.append(name)
    return applied


def undo(applied, restore, failed, cause):
    restored, not_restored = [], []
    for name in reversed(applied):
        try:
            restore(name)
            restored.append(name)
        except Exception as exc:  # pylint: disable=broad-except
            not_restored.append("%s (%s)" % (name, describe_error(exc)))
    msg = "Changing %s failed: %s. Changed before it: %s; restored: %s; could not restore: %s." % (
        failed, describe_error(cause), ", ".join(applied) or "none", ", ".join(restored) or "none",
        ", ".join(not_restored) or "none")
    return RunbookError(msg, failed=failed, shifted=applied, restored=restored, not_restored=not_restored)

