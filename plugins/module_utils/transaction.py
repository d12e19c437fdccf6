# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""All or nothing: record each change, and on a failure undo the recorded ones, newest first, saying which."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError, describe_error


class Transaction:
    """What was changed, so a failure can put back exactly that and say so."""

    def __init__(self, changed=()):
        self.changed = list(changed)
        self.restored = []
        self.not_restored = []

    def record(self, name):
        """``name`` was changed; changes made on several threads may record at once."""
        self.changed.append(name)

    def rollback(self, restore):
        """Call restore(name) for every changed object, newest first; remember which failed and why."""
        for name in reversed(self.changed):
            try:
                restore(name)
                self.restored.append(name)
            except Exception as exc:  # pylint: disable=broad-except
                self.not_restored.append("%s (%s)" % (name, describe_error(exc)))


def apply_all(names, apply, restore):
    """Call apply(name) for each name; on the first failure restore the applied ones and raise."""
    done = Transaction()
    for name in names:
        try:
            apply(name)
        except Exception as exc:  # pylint: disable=broad-except
            raise undo(done.changed, restore, name, exc)
        done.record(name)
    return done.changed


def undo(applied, restore, failed, cause):
    """Restore ``applied``; the error names the failure, what had been changed (``shifted``) and what is back."""
    done = Transaction(applied)
    done.rollback(restore)
    msg = "Changing %s failed: %s. Changed before it: %s; restored: %s; could not restore: %s." % (
        failed, describe_error(cause), ", ".join(done.changed) or "none", ", ".join(done.restored) or "none",
        ", ".join(done.not_restored) or "none")
    return RunbookError(msg, failed=failed, shifted=done.changed, restored=done.restored,
                        not_restored=done.not_restored)
