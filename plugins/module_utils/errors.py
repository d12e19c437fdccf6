# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Domain errors that modules turn into ``fail_json``: a message plus machine-readable details."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class RunbookError(Exception):
    """An operation failed; ``details`` go into the module result next to ``msg``."""

    def __init__(self, msg, **details):
        super(RunbookError, self).__init__(msg)
        self.msg = msg
        self.details = details


class InputError(RunbookError):
    """An option has a value the module cannot use; raised before anything is changed."""

    def __init__(self, option, value, fix):
        msg = "Invalid value %r for option '%s': %s" % (value, option, fix)
        super(InputError, self).__init__(msg, option=option, value=value)


def fail_with(module, error, **result):
    """Report ``error`` through ``module.fail_json``, keeping whatever partial ``result`` exists."""
    result.update(error.details)
    module.fail_json(msg=error.msg, **result)


def describe_error(exc):
    """A RunbookError (a described API failure among them) says it all; otherwise status and reason."""
    if isinstance(exc, RunbookError):
        return exc.msg
    status, reason = getattr(exc, "status", None), getattr(exc, "reason", None)
    if status is not None:
        return "HTTP %s %s" % (status, reason or "")
    return getattr(exc, "msg", None) or str(exc) or type(exc).__name__
