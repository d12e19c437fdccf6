# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Weighted traffic on nginx: one upstream file for the group, swapped in whole, tested, reloaded.

A single file makes the group's change atomic: nginx loads either the old file or the new one.
The candidate is renamed over the live file only for ``test_cmd`` to validate it in place (nginx
tests its whole configuration, not a fragment) and put back at once when nginx rejects it or in
check mode; nginx itself only ever reloads a configuration that passed the test.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import shlex
import tempfile

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.switch.nginx import take_lock
from ansible_collections.runbook.ops.plugins.module_utils.traffic import nginx_upstreams


def run(module, params, targets, timer):
    path = params["upstream_file"]
    with timer.phase("lock"):
        lock = take_lock(path + ".lock", params["lock_timeout"], params["change_id"], module.check_mode)
    try:
        with timer.phase("validate"):
            before = read(path)
            weight, previous = resolve(params, before)
            after = nginx_upstreams.render(targets, weight, previous, params["change_id"])
        result = {"weight": weight, "before": {"weight": previous}, "change_id": params["change_id"],
                  "diff": {"before": before or "", "after": after}}
        if nginx_upstreams.same_routing(before, targets, weight):
            return dict(result, changed=False, shifted=[], unchanged=[t["name"] for t in targets],
                        diff={"before": before, "after": before})
        with timer.phase("test"):
            swap_and_test(module, path, before, after, params["test_cmd"], keep=not module.check_mode)
        if not module.check_mode:
            with timer.phase("reload"):
                reload_or_restore(module, path, before, params)
        return dict(result, changed=True, shifted=[t["name"] for t in targets], unchanged=[])
    finally:
        lock.close()


def resolve(params, text):
    """The weight to write, and the weight the file routes now (the new file's previous)."""
    current, previous = nginx_upstreams.header(text)
    if not params["previous"]:
        return params["weight"], current
    if previous is None:
        raise RunbookError("Cannot shift back: %s records no previous weight" % params["upstream_file"])
    return previous, current


def read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except IOError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise RunbookError("Cannot read %s: %s" % (path, exc))


def write_atomically(path, text):
    handle, temporary = tempfile.mkstemp(prefix=".runbook-", suffix=".tmp", dir=os.path.dirname(path) or ".")
    with os.fdopen(handle, "w") as stream:
        stream.write(text)
    os.chmod(temporary, 0o644)
    os.rename(temporary, path)


def put_back(path, before):
    if before is None:
        os.unlink(path)
    else:
        write_atomically(path, before)


def swap_and_test(module, path, before, after, test_cmd, keep):
    write_atomically(path, after)
    rc, out, err = module.run_command(shlex.split(test_cmd))
    if rc != 0 or not keep:
        put_back(path, before)
    if rc != 0:
        raise RunbookError("nginx rejected the new upstreams, so nothing changed: %s" % (err or out).strip(),
                           test_rc=rc)


def reload_or_restore(module, path, before, params):
    rc, out, err = module.run_command(shlex.split(params["reload_cmd"]))
    if rc == 0:
        return
    put_back(path, before)
    module.run_command(shlex.split(params["reload_cmd"]))
    raise RunbookError("nginx did not reload (%s); the previous upstreams were put back" % (err or out).strip())
