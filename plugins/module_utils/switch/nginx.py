# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blue-green switch on nginx: the group's upstream file swapped in whole, tested, reloaded, verified.

One file for the group makes the switch atomic: nginx loads either the old file or the new one.
The candidate is tested as part of the whole configuration (see module_utils/nginx/config.py) under
the group's flock, and written only when nginx accepts it. After the reload, every service's ``verify_url`` must answer with the target color; otherwise the
previous file is put back and nginx reloaded again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time
import uuid

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url
from ansible_collections.runbook.ops.plugins.module_utils.colors import COLORS
from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.nginx import config, formats
from ansible_collections.runbook.ops.plugins.module_utils.switch import nginx_upstream
from ansible_collections.runbook.ops.plugins.module_utils.timing import iso_seconds, utc_now

# Consecutive answers in the target color a service needs: right after a reload an old worker
# may still take a request, so one answer alone does not prove the switch.
CONFIRMATIONS = 3
VERIFY_POLL_SECONDS = 0.05
PROBE_TIMEOUT = 5
RESTORE_VERIFY_SECONDS = 10


def run(module, timer):
    params = module.params
    with timer.phase("validate"):
        specs = nginx_upstream.service_specs(params["services"])
        path = upstream_path(params.get("upstream_file"))
        change_id = params.get("change_id") or uuid.uuid4().hex
    with timer.phase("lock"):
        lock = config.take_lock(path + ".lock", params.get("lock_timeout") or 0, change_id, module.check_mode)
    try:
        return switch(module, timer, specs, path, change_id)
    finally:
        lock.close()


def switch(module, timer, specs, path, change_id):
    params = module.params
    with timer.phase("validate"):
        before = config.read(path)
        plan = plan_switch(specs, before, params["color"], path)
        after = formats.render(specs, plan["color"], plan["record_previous"], change_id, iso_seconds(utc_now()))
    result = outcome(plan, change_id, path)
    if plan["mixed_before"]:
        module.warn("The group was on mixed colors (%s); switching every service to %s" % (", ".join(
            "%s=%s" % (service["name"], service["before"] or "unknown") for service in plan["services"]), plan["color"]))
    if formats.routing(before) == formats.routing(after):
        return unchanged(module, result, specs, before)
    result.update(changed=True, **diff(module, before, after))
    with timer.phase("validate"):
        test_and_write(module, path, before, after, result)
    if module.check_mode:
        return result
    with timer.phase("switch"):
        reload_or_restore(module, path, before, result)
    with timer.phase("verify"):
        failures = verify(specs, plan["color"], params.get("verify_timeout", 60))
    if failures:
        restore_after_verify(module, path, before, result, failures)
    return result


def upstream_path(path):
    if not path:
        raise InputError("upstream_file", path, "set the path of the file holding the group's upstreams")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise InputError("upstream_file", path, "its directory must exist (nginx's conf.d, for example)")
    return path


def plan_switch(specs, before, requested, path):
    """The target color, the group's color before, and each service's move, read from the live file."""
    recorded = formats.header(before)
    addresses = formats.servers(before)
    colors = [nginx_upstream.color_of(spec, addresses.get(spec["upstream"])) for spec in specs]
    group_before = nginx_upstream.group_color(colors) or recorded["color"]
    target = requested if requested != "previous" else previous_color(recorded, before, path)
    services = [dict(name=spec["name"], upstream=spec["upstream"], before=color, after=target,
                     server_before=addresses.get(spec["upstream"]), server_after=spec[target],
                     changed=addresses.get(spec["upstream"]) != spec[target])
                for spec, color in zip(specs, colors)]
    # A group already on the target keeps the previous color it recorded, so `previous` still goes back.
    record_previous = group_before if group_before not in (None, target) else recorded["previous"]
    return dict(color=target, previous_color=group_before, record_previous=record_previous, services=services,
                mixed_before=len(set(color for color in colors if color)) > 1)


def previous_color(recorded, before, path):
    if recorded["previous"] in COLORS:
        return recorded["previous"]
    why = "the file does not exist yet" if before is None else "it records no previous color"
    raise RunbookError("Cannot switch to the previous color: %s has no switch to go back to (%s); "
                       "give color blue or green" % (path, why))


def outcome(plan, change_id, path):
    moved = [service["name"] for service in plan["services"] if service["changed"]]
    staying = [service["name"] for service in plan["services"] if not service["changed"]]
    return dict(changed=False, color=plan["color"], previous_color=plan["previous_color"], change_id=change_id,
                switched=moved, unchanged=staying, restored=[], mixed_before=plan["mixed_before"],
                services=plan["services"], upstream_file=path)


def unchanged(module, result, specs, before):
    """Nothing to switch; the file is not touched, but a verify_url answering otherwise is reported."""
    disagree = dict((spec["name"], answer) for spec, answer in
                    ((spec, probe(spec["verify_url"])) for spec in specs) if answer[0] != result["color"])
    for name, (color, detail) in sorted(disagree.items()):
        module.warn("%s routes %s to %s, but its verify_url answered %s; nginx may not have loaded the file "
                    "(run reload_cmd) or the %s instance answers wrong" % (
                        result["upstream_file"], name, result["color"], color or detail, result["color"]))
    result.update(switched=[], unchanged=[spec["name"] for spec in specs], verify_disagrees=sorted(disagree),
                  **diff(module, before, before))
    return result


def diff(module, before, after):
    return {"diff": {"before": before or "", "after": after or ""}} if module._diff else {}


def test_and_write(module, path, before, after, result):
    """Have test_cmd validate after as part of the whole configuration; write it unless in check mode."""
    rc, message = config.test_and_write(module, module.params.get("test_cmd"), path, before, after)
    if rc != 0:
        raise RunbookError("nginx rejected the new upstream file, so nothing changed (%s is as before): %s"
                           % (path, message), test_rc=rc, **details(result, changed=False, switched=[]))


def reload_or_restore(module, path, before, result):
    rc, message = config.reload(module, module.params.get("reload_cmd"))
    if rc != 0:
        restore(module, path, before, result, "nginx did not reload (%s)" % message)


def restore_after_verify(module, path, before, result, failures):
    why = "; ".join("%s answered %s" % (name, detail) for name, detail in sorted(failures.items()))
    restore(module, path, before, result, "verification of color %s failed: %s" % (result["color"], why),
            failed=sorted(failures))


def restore(module, path, before, result, why, failed=None):
    """Put the previous file back, reload, and raise a RunbookError saying what was restored."""
    moved = result["switched"]
    config.put_back(path, before)
    rc, message = config.reload(module, module.params.get("reload_cmd"))
    if rc == 0:
        result.update(changed=False, switched=[], restored=moved, not_restored=[])
        done = "restored the previous upstream file %s and reloaded nginx; restored: %s%s" % (
            path, ", ".join(moved), answering_again(module, result))
    else:
        result.update(changed=True, switched=[], restored=[], not_restored=moved)
        done = ("put the previous upstream file %s back, but nginx did not reload (%s); not restored in the "
                "running nginx: %s" % (path, message, ", ".join(moved)))
    raise RunbookError("%s; %s" % (why, done), verify_failed=failed or [], **details(result))


def answering_again(module, result):
    """Wait, briefly, until the restored services answer in their previous color, and say which do not."""
    specs = dict((spec["name"], spec) for spec in nginx_upstream.service_specs(module.params["services"]))
    colors = dict((service["name"], service["before"]) for service in result["services"] if service["before"])
    timeout = min(module.params.get("verify_timeout", 60), RESTORE_VERIFY_SECONDS)
    silent = {}
    for color in set(colors.values()):
        silent.update(verify([specs[name] for name in colors if colors[name] == color], color, timeout))
    if not silent:
        return ""
    return " (not yet answering in their previous color: %s)" % ", ".join(
        "%s answered %s" % (name, answer) for name, answer in sorted(silent.items()))


def details(result, **overrides):
    """The result as failure details: what was switched, restored and not restored."""
    failed = dict(restored=[], not_restored=[])
    failed.update((key, value) for key, value in result.items() if key != "diff")
    failed.update(overrides)
    return failed


def verify(specs, color, timeout):
    """Poll every verify_url until it answers color CONFIRMATIONS times in a row; failures by name.

    After the deadline a service still answering wrong fails, while one in the middle of its
    confirmations gets to finish them.
    """
    deadline = time.monotonic() + (timeout or 0)
    streak = dict((spec["name"], 0) for spec in specs)
    last, failures = {}, {}
    while True:
        for spec in specs:
            name = spec["name"]
            if streak[name] < CONFIRMATIONS and name not in failures:
                answered, detail = probe(spec["verify_url"])
                streak[name] = streak[name] + 1 if answered == color else 0
                last[name] = answered or detail
        pending = [name for name, count in streak.items() if count < CONFIRMATIONS and name not in failures]
        if time.monotonic() >= deadline:
            failures.update((name, last[name]) for name in pending if streak[name] == 0)
            pending = [name for name in pending if name not in failures]
        if not pending:
            return failures
        if any(streak[name] == 0 for name in pending):
            time.sleep(VERIFY_POLL_SECONDS)


def probe(url):
    """(color, detail): the color from the X-Color header, else the JSON body's color; None on failure."""
    try:
        response = open_url(url, timeout=PROBE_TIMEOUT, use_proxy=False, follow_redirects="safe",
                            headers={"Cache-Control": "no-cache"})
        header, body = response.headers.get("X-Color"), response.read(65536)
    except HTTPError as exc:
        return None, "HTTP %d" % exc.code
    except (URLError, OSError, ValueError) as exc:
        return None, "no answer (%s)" % getattr(exc, "reason", exc)
    if header:
        return header, header
    try:
        color = json.loads(body).get("color")
    except (ValueError, AttributeError):
        color = None
    return (color, color) if color else (None, "no X-Color header and no JSON color")
