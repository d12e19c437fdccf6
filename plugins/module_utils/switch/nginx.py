# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blue-green switch on nginx: the group's upstream file swapped in whole, tested, reloaded, verified.

One file for the group makes the switch atomic: nginx loads either the old file or the new one.
``nginx -t`` validates a whole configuration, not a fragment, and what it must catch (a bad
address, an upstream a server block needs but the file lost) only shows in that whole. When
``test_cmd`` names the main configuration with ``-c`` and that file includes the upstream file's
directory by absolute path, nginx tests a copy of the main configuration including a copy of that
directory with the candidate in it, and the live file is written only after the test passed.
Otherwise the candidate is renamed over the live file just for the test and renamed back at once
when nginx rejects it or in check mode; the flock keeps other switches of the group out of that
window, and a reload by anyone else during it is refused by nginx itself unless the candidate is valid.
After the reload, every service's ``verify_url`` must answer with the target color; otherwise the
previous file is put back and nginx reloaded again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import json
import os
import shlex
import shutil
import tempfile
import time
import uuid

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url
from ansible_collections.runbook.ops.plugins.module_utils.colors import COLORS
from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.switch import nginx_upstream
from ansible_collections.runbook.ops.plugins.module_utils.timing import iso_seconds, utc_now

# Consecutive answers in the target color a service needs: right after a reload an old worker
# may still take a request, so one answer alone does not prove the switch.
CONFIRMATIONS = 3
VERIFY_POLL_SECONDS = 0.05
LOCK_POLL_SECONDS = 0.2
PROBE_TIMEOUT = 5
RESTORE_VERIFY_SECONDS = 10


def run(module, timer):
    params = module.params
    with timer.phase("validate"):
        specs = nginx_upstream.service_specs(params["services"])
        path = upstream_path(params.get("upstream_file"))
        change_id = params.get("change_id") or uuid.uuid4().hex
    with timer.phase("lock"):
        lock = take_lock(path + ".lock", params.get("lock_timeout") or 0, change_id, module.check_mode)
    try:
        return switch(module, timer, specs, path, change_id)
    finally:
        lock.close()


def switch(module, timer, specs, path, change_id):
    params = module.params
    with timer.phase("validate"):
        before = read(path)
        plan = plan_switch(specs, before, params["color"], path)
        after = nginx_upstream.render(specs, plan["color"], plan["record_previous"], change_id, iso_seconds(utc_now()))
    result = outcome(plan, change_id, path)
    if plan["mixed_before"]:
        module.warn("The group was on mixed colors (%s); switching every service to %s" % (", ".join(
            "%s=%s" % (service["name"], service["before"] or "unknown") for service in plan["services"]), plan["color"]))
    if nginx_upstream.routing(before) == nginx_upstream.routing(after):
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
    recorded = nginx_upstream.header(before)
    addresses = nginx_upstream.servers(before)
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


def read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise RunbookError("Cannot read %s: %s" % (path, exc))


def write_atomically(path, text):
    handle, temporary = tempfile.mkstemp(prefix=".runbook-", suffix=".tmp", dir=os.path.dirname(os.path.abspath(path)))
    with os.fdopen(handle, "w") as stream:
        stream.write(text)
    os.chmod(temporary, 0o644)
    os.rename(temporary, path)


def put_back(path, before):
    if before is None:
        if os.path.exists(path):
            os.unlink(path)
    else:
        write_atomically(path, before)


def command(module, argv):
    rc, out, err = module.run_command(argv)
    return rc, (err or out or "").strip()


def reload_argv(module):
    return shlex.split(module.params.get("reload_cmd") or "nginx -s reload")


def test_and_write(module, path, before, after, result):
    """Have test_cmd validate after as part of the whole configuration; write it unless in check mode."""
    argv = shlex.split(module.params.get("test_cmd") or "nginx -t")
    shadow = shadow_plan(argv, path)
    tested = test_in_shadow(module, argv, shadow, path, after) if shadow else None
    if tested is None:
        rc, message = test_in_place(module, argv, path, before, after)
    else:
        rc, message = tested
        if rc == 0 and not module.check_mode:
            write_atomically(path, after)
    if rc != 0:
        raise RunbookError("nginx rejected the new upstream file, so nothing changed (%s is as before): %s"
                           % (path, message), test_rc=rc, **details(result, changed=False, switched=[]))


def shadow_plan(argv, path):
    """(position of -c, main config, upstream dir) when a copy of the configuration can be tested, else None.

    That needs test_cmd to name the main configuration with -c, and that file to include the
    upstream file's directory by its absolute path, so the copy can include a copy of the directory.
    """
    main = nginx_upstream.main_config(argv)
    conf_dir = os.path.dirname(os.path.abspath(path))
    if not main or (os.path.dirname(main[1]) + "/").startswith(conf_dir + "/"):
        return None
    text = read(main[1]) or ""
    if nginx_upstream.relocate(text, conf_dir, "\0") == text:
        return None
    return main[0], main[1], conf_dir


def test_in_shadow(module, argv, shadow, path, after):
    """Test a copy of the main configuration that includes a copy of the upstream dir holding after.

    The copy sits next to the main configuration, so its relative includes resolve as the live
    ones do; the live files are never touched.
    """
    position, main, conf_dir = shadow
    try:
        copy_dir = tempfile.mkdtemp(prefix=".runbook-test-", dir=os.path.dirname(main))
    except OSError:
        return None  # the main configuration's directory is not writable: test in place
    copy_main = copy_dir + ".conf"
    try:
        shutil.copytree(conf_dir, copy_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".runbook-*", "*.lock"))
        with open(os.path.join(copy_dir, os.path.basename(path)), "w") as stream:
            stream.write(after)
        with open(copy_main, "w") as stream:
            stream.write(nginx_upstream.relocate(read(main), conf_dir, copy_dir))
        rc, message = command(module, argv[:position] + [copy_main] + argv[position + 1:])
        return rc, message.replace(copy_main, main).replace(copy_dir, conf_dir)
    finally:
        shutil.rmtree(copy_dir, ignore_errors=True)
        if os.path.exists(copy_main):
            os.unlink(copy_main)


def test_in_place(module, argv, path, before, after):
    """Without a main configuration to copy, the candidate stands in the live path just for the test."""
    write_atomically(path, after)
    rc, message = command(module, argv)
    if rc != 0 or module.check_mode:
        put_back(path, before)
    return rc, message


def reload_or_restore(module, path, before, result):
    rc, message = command(module, reload_argv(module))
    if rc != 0:
        restore(module, path, before, result, "nginx did not reload (%s)" % message)


def restore_after_verify(module, path, before, result, failures):
    why = "; ".join("%s answered %s" % (name, detail) for name, detail in sorted(failures.items()))
    restore(module, path, before, result, "verification of color %s failed: %s" % (result["color"], why),
            failed=sorted(failures))


def restore(module, path, before, result, why, failed=None):
    """Put the previous file back, reload, and raise a RunbookError saying what was restored."""
    moved = result["switched"]
    put_back(path, before)
    rc, message = command(module, reload_argv(module))
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


class NoLock:
    """What a check-mode run holds when no switch ever made the lock file: nothing to close."""

    def close(self):
        pass


def take_lock(path, timeout, change_id, check_mode=False):
    """An exclusive flock on path; the holder's pid and change id are written into it for the next one.

    In check mode the lock file is neither created nor written: an existing one is opened read-only
    and flocked (so a check waits for, and is refused by, a switch in progress like a real run), and
    without one there is no lock to take, since no switch of the group ever ran here.
    """
    if check_mode:
        try:
            handle = open(path, "r")
        except (IOError, OSError) as exc:
            if exc.errno == errno.ENOENT:
                return NoLock()
            raise RunbookError("Cannot open the lock %s: %s" % (path, exc))
    else:
        handle = open(path, "a+")
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except (IOError, OSError):
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = handle.read().strip() or "unknown holder"
                handle.close()
                raise RunbookError("Another switch of this group holds the lock %s (%s); waited %ss, raise "
                                   "lock_timeout to wait longer" % (path, holder, timeout), changed=False,
                                   lock_holder=holder)
            time.sleep(LOCK_POLL_SECONDS)
    if not check_mode:
        handle.seek(0)
        handle.truncate()
        handle.write("pid=%d change_id=%s\n" % (os.getpid(), change_id))
        handle.flush()
    return handle
