# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Weighted traffic on nginx: one upstream file for the group, swapped in whole, tested, reloaded.

A single file makes the group's change atomic: nginx loads either the old file or the new one, so
this router shifts the whole group at once instead of object by object. The candidate is tested as
part of the whole configuration (see module_utils/nginx/config.py) and put back when nginx rejects
it or in check mode; nginx itself only ever reloads a configuration that passed the test.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.nginx import config, formats


class NginxRouter:
    """The group's weighted upstream file, shifted in one swap."""

    def __init__(self, module, params):
        if not params["upstream_file"]:
            raise InputError("upstream_file", None, "give the file that holds the group's upstreams")
        self.module = module

    def shift(self, targets, params, timer):
        return run(self.module, params, targets, timer)


def run(module, params, targets, timer):
    path = params["upstream_file"]
    with timer.phase("lock"):
        lock = config.take_lock(path + ".lock", params["lock_timeout"], params["change_id"], module.check_mode)
    try:
        with timer.phase("validate"):
            before = config.read(path)
            weight, previous = resolve(params, before)
            after = formats.render_weighted(targets, weight, previous, params["change_id"])
        result = {"weight": weight, "before": {"weight": previous}, "change_id": params["change_id"]}
        if formats.same_weighted_routing(before, targets, weight):
            return dict(result, changed=False, shifted=[], unchanged=[t["name"] for t in targets],
                        diff={"before": before, "after": before})
        with timer.phase("test"):
            test_and_write(module, path, before, after, params["test_cmd"])
        if not module.check_mode:
            with timer.phase("reload"):
                reload_or_restore(module, path, before, params)
        return dict(result, changed=True, shifted=[t["name"] for t in targets], unchanged=[],
                    diff={"before": before or "", "after": after})
    finally:
        lock.close()


def resolve(params, text):
    """The weight to write, and the weight the file routes now (the new file's previous)."""
    current, previous = formats.weighted_header(text)
    if not params["previous"]:
        return params["weight"], current
    if previous is None:
        raise RunbookError("Cannot shift back: %s records no previous weight" % params["upstream_file"])
    return previous, current


def test_and_write(module, path, before, after, test_cmd):
    rc, message = config.test_and_write(module, test_cmd, path, before, after)
    if rc != 0:
        raise RunbookError("nginx rejected the new upstreams, so nothing changed: %s" % message, test_rc=rc)


def reload_or_restore(module, path, before, params):
    rc, message = config.reload(module, params["reload_cmd"])
    if rc == 0:
        return
    config.put_back(path, before)
    config.reload(module, params["reload_cmd"])
    raise RunbookError("nginx did not reload (%s); the previous upstreams were put back" % message)
