# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nginx configuration files on this host: read, write atomically, test, reload, put back, lock.

``nginx -t`` validates a whole configuration, not a fragment, and what it must catch (a bad
address, an upstream a server block needs but the file lost) only shows in that whole. When
``test_cmd`` names the main configuration with ``-c`` and that file includes the candidate's
directory by absolute path, nginx tests a copy of the main configuration including a copy of that
directory with the candidate in it, and the live file is written only after the test passed.
Otherwise the candidate is renamed over the live file just for the test and renamed back at once
when nginx rejects it or in check mode; the caller's flock keeps other writers of the file out of
that window, and a reload by anyone else during it is refused by nginx itself unless the candidate
is valid.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import re
import shlex
import shutil
import tempfile

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.flock import flock_within

LOCK_POLL_SECONDS = 0.2


def read(path):
    """The file's text, or None when it does not exist."""
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
    """Restore the text read before the change; a file that did not exist is removed again."""
    if before is None:
        if os.path.exists(path):
            os.unlink(path)
    else:
        write_atomically(path, before)


def command(module, argv):
    rc, out, err = module.run_command(argv)
    return rc, (err or out or "").strip()


def reload(module, reload_cmd):
    """(rc, message) of reload_cmd."""
    return command(module, shlex.split(reload_cmd or "nginx -s reload"))


def test_and_write(module, test_cmd, path, before, after):
    """(rc, message) of test_cmd validating after as part of the whole configuration.

    after is left in path when the test passed, unless in check mode; otherwise path holds before.
    """
    return test_and_write_all(module, test_cmd, [(path, before, after)])


def test_and_write_all(module, test_cmd, changes):
    """(rc, message) of test_cmd validating every (path, before, after) of changes as one configuration.

    Each after is left in its path when the test passed, unless in check mode; otherwise every path
    holds its before. The shadow test needs every path in one directory.
    """
    argv = shlex.split(test_cmd or "nginx -t")
    shadow = shadow_plan(argv, [path for path, _before, _after in changes])
    tested = test_in_shadow(module, argv, shadow, changes) if shadow else None
    if tested is None:
        return test_in_place(module, argv, changes)
    if tested[0] == 0 and not module.check_mode:
        for path, _before, after in changes:
            write_atomically(path, after)
    return tested


def shadow_plan(argv, paths):
    """(position of -c, main config, config dir) when a copy of the configuration can be tested, else None.

    That needs test_cmd to name the main configuration with -c, every path to be in one directory, and
    that file to include the directory by its absolute path, so the copy can include a copy of it.
    """
    main = main_config(argv)
    conf_dirs = set(os.path.dirname(os.path.abspath(path)) for path in paths)
    if not main or len(conf_dirs) != 1:
        return None
    conf_dir = conf_dirs.pop()
    if (os.path.dirname(main[1]) + "/").startswith(conf_dir + "/"):
        return None
    text = read(main[1]) or ""
    if relocate(text, conf_dir, "\0") == text:
        return None
    return main[0], main[1], conf_dir


def test_in_shadow(module, argv, shadow, changes):
    """Test a copy of the main configuration that includes a copy of the config dir holding the afters.

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
        for path, _before, after in changes:
            with open(os.path.join(copy_dir, os.path.basename(path)), "w") as stream:
                stream.write(after)
        with open(copy_main, "w") as stream:
            stream.write(relocate(read(main), conf_dir, copy_dir))
        rc, message = command(module, argv[:position] + [copy_main] + argv[position + 1:])
        return rc, message.replace(copy_main, main).replace(copy_dir, conf_dir)
    finally:
        shutil.rmtree(copy_dir, ignore_errors=True)
        if os.path.exists(copy_main):
            os.unlink(copy_main)


def test_in_place(module, argv, changes):
    """Without a main configuration to copy, the candidates stand in the live paths just for the test."""
    for path, _before, after in changes:
        write_atomically(path, after)
    rc, message = command(module, argv)
    if rc != 0 or module.check_mode:
        put_back_all(changes)
    return rc, message


def put_back_all(changes):
    """Every (path, before, after) of changes back to its before."""
    for path, before, _after in changes:
        put_back(path, before)


def main_config(argv):
    """(position, absolute path) of the ``-c`` main configuration in a test command, or None."""
    prefix, position = None, None
    for index, arg in enumerate(argv[:-1]):
        if arg == "-p":
            prefix = argv[index + 1]
        elif arg == "-c":
            position = index + 1
    if position is None:
        return None
    path = argv[position]
    if not os.path.isabs(path):
        if not prefix:
            return None
        path = os.path.join(prefix, path)
    return position, os.path.abspath(path)


def relocate(text, old_dir, new_dir):
    """text with every path under old_dir moved to new_dir (whole path components only)."""
    return dir_pattern(old_dir).sub(lambda match: new_dir, text)


def mentions(text, directory):
    return bool(dir_pattern(directory).search(text))


def dir_pattern(directory):
    return re.compile(re.escape(directory.rstrip("/")) + r"(?=[/;\s\"']|$)", re.MULTILINE)


class NoLock:
    """What a check-mode run holds when no change ever made the lock file: nothing to close."""

    def close(self):
        pass


def take_lock(path, timeout, change_id, check_mode=False):
    """An exclusive flock on path; the holder's pid and change id are written into it for the next one.

    In check mode the lock file is neither created nor written: an existing one is opened read-only
    and flocked (so a check waits for, and is refused by, a change in progress like a real run), and
    without one there is no lock to take, since no change of the group ever ran here.
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
    if not flock_within(handle, timeout, LOCK_POLL_SECONDS):
        handle.seek(0)
        holder = handle.read().strip() or "unknown holder"
        handle.close()
        raise RunbookError("Another switch of this group holds the lock %s (%s); waited %ss, raise "
                           "lock_timeout to wait longer" % (path, holder, timeout), changed=False,
                           lock_holder=holder)
    if not check_mode:
        handle.seek(0)
        handle.truncate()
        handle.write("pid=%d change_id=%s\n" % (os.getpid(), change_id))
        handle.flush()
    return handle
