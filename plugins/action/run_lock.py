# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""run_lock: the identity of the run is known on the controller only, so it is filled in here."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import getpass
import os
import socket

from ansible.plugins.action import ActionBase


def playbook_pid():
    """The ansible-playbook process: task workers are forked from it and live no longer than one task."""
    return os.getppid()


def default_holder(task_vars, run_id, pid, host):
    job = task_vars.get("awx_job_id") or task_vars.get("tower_job_id")
    if job:
        holder = "awx-job-%s" % job
    else:
        try:
            user = getpass.getuser()
        except Exception:  # pylint: disable=broad-except
            user = "unknown"
        holder = "%s@%s:%d" % (user, host, pid)
    return "%s/%s" % (holder, run_id) if run_id else holder


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        pid, host = playbook_pid(), socket.gethostname()
        if args.get("holder_pid") is None:
            args["holder_pid"] = pid
        if not args.get("holder_host"):
            args["holder_host"] = host
        if not args.get("holder"):
            args["holder"] = default_holder(task_vars, args.get("run_id"), pid, host)
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result.update(self._execute_module(module_name="runbook.ops.run_lock", module_args=args, task_vars=task_vars,
                                           wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
