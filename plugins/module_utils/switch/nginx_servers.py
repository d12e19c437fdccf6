# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The servers in front of a blue-green group's upstreams on nginx, and the group's first color.

A server proxies to an upstream nginx must know when it loads the servers, so the two files are
one change: the servers file, and for a group never published, its first upstream file on the
color given. Both are tested as one configuration and reloaded under the group's flock (the
switch's); when nginx rejects them or does not reload, both files are put back. An upstream file
that exists is the switch's to rewrite and is left as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.nginx import config, formats
from ansible_collections.runbook.ops.plugins.module_utils.switch import nginx, nginx_upstream
from ansible_collections.runbook.ops.plugins.module_utils.timing import iso_seconds, utc_now


def run(module, timer):
    params = module.params
    with timer.phase("validate"):
        specs = server_specs(params["services"])
        upstream_file = nginx.upstream_path(params["upstream_file"])
        sites_file = sites_path(params["sites_file"], upstream_file)
    with timer.phase("lock"):
        lock = config.take_lock(upstream_file + ".lock", params["lock_timeout"],
                                params.get("change_id") or uuid.uuid4().hex, module.check_mode)
    try:
        return publish(module, timer, specs, upstream_file, sites_file)
    finally:
        lock.close()


def server_specs(services):
    """The ``services`` option as the switch's specs, each with the address its server listens on."""
    specs = nginx_upstream.service_specs(services)
    for index, (spec, entry) in enumerate(zip(specs, services)):
        spec["listen"] = listen_address(index, entry.get("listen"))
    shared = nginx_upstream.repeated([spec["listen"] for spec in specs])
    if shared:
        raise InputError("services", shared, "give each service its own listen address")
    return specs


def listen_address(index, listen):
    where = "services[%d].listen" % index
    if not listen or not isinstance(listen, str):
        raise InputError(where, listen, "set the host:port (or port) nginx listens on for the service")
    nginx_upstream.refuse_unsafe(where, listen)
    return listen


def sites_path(path, upstream_file):
    if path == upstream_file:
        raise InputError("sites_file", path, "use a file of its own, not the upstream file")
    return nginx.upstream_path(path)


def publish(module, timer, specs, upstream_file, sites_file):
    with timer.phase("validate"):
        changes = planned_changes(specs, module.params["color"], upstream_file, sites_file)
    result = dict(changed=bool(changes), written=[path for path, _before, _after in changes],
                  first_publication=any(path == upstream_file for path, _before, _after in changes),
                  color=module.params["color"], upstream_file=upstream_file, sites_file=sites_file,
                  services=[spec["name"] for spec in specs])
    if module._diff:
        result["diff"] = [dict(before_header=path, after_header=path, before=before or "", after=after)
                          for path, before, after in changes]
    if not changes:
        return result
    with timer.phase("validate"):
        rc, message = config.test_and_write_all(module, module.params["test_cmd"], changes)
    if rc != 0:
        raise RunbookError("nginx rejected the servers of the group, so nothing changed (%s as before): %s"
                           % (" and ".join(result["written"]), message), test_rc=rc, **failed(result))
    if not module.check_mode:
        with timer.phase("reload"):
            reload_or_put_back(module, changes, result)
    return result


def planned_changes(specs, color, upstream_file, sites_file):
    """(path, before, after) of every file to write: the servers, and the first upstream file if none."""
    changes = []
    upstreams = config.read(upstream_file)
    if upstreams is None:
        changes.append((upstream_file, None, formats.render_first(specs, color, iso_seconds(utc_now()))))
    servers_before, servers_after = config.read(sites_file), formats.render_servers(specs)
    if servers_before != servers_after:
        changes.append((sites_file, servers_before, servers_after))
    return changes


def reload_or_put_back(module, changes, result):
    rc, message = config.reload(module, module.params["reload_cmd"])
    if rc == 0:
        return
    config.put_back_all(changes)
    rc, again = config.reload(module, module.params["reload_cmd"])
    done = "reloaded nginx" if rc == 0 else "nginx did not reload after that either (%s)" % again
    raise RunbookError("nginx did not reload the servers of the group (%s); put %s back as before and %s"
                       % (message, " and ".join(result["written"]), done), **failed(result, changed=rc != 0))


def failed(result, changed=False):
    details = dict((key, value) for key, value in result.items() if key != "diff")
    details.update(changed=changed, written=[])
    return details
