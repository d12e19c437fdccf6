# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run lock as a file C(runbook-run-<group>.lock) next to the nginx configuration: the file I/O of run_lock.

The file holds the record as JSON. It appears whole or not at all: the record is written to a
temporary file (created with O_EXCL) and linked to the lock's name, and link() fails when the lock
exists, so of two runs creating it one wins. Replacing a lock (renewal, take-over) and removing it
re-read the file under a short flock on a guard file and change it only if it is still the lock
this run decided on; the guard is held for milliseconds, never for the run. Reading takes no guard,
so a check-mode run creates no file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import tempfile
from contextlib import contextmanager

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.flock import flock_within
from ansible_collections.runbook.ops.plugins.module_utils.run_lock import record as records

GUARD_WAIT_SECONDS = 10
GUARD_POLL_SECONDS = 0.01


def lock_path(directory, group):
    return os.path.join(directory, "runbook-run-%s.lock" % group)


class FileStore:
    """A store of run-lock records in one file."""

    def __init__(self, directory, group):
        self.path = lock_path(directory, group)
        self.guard_path = os.path.join(directory, ".runbook-run-%s.guard" % group)

    def location(self):
        return "lock file %s" % self.path

    def removal(self):
        return "remove %s" % self.path

    def read(self):
        # No guard: the file only ever appears, changes and goes whole (link, rename, unlink), and every
        # write re-reads under the guard. So a read creates nothing, and check mode leaves no guard file behind.
        return self.load()

    def write(self, record, current):
        """Write record if the lock is still current (None: no lock); None when another run changed it first."""
        with self.guarded():
            if not same(self.load(), current):
                return None
            staged = self.stage(record)
            try:
                if current is None:
                    os.link(staged, self.path)
                else:
                    os.replace(staged, self.path)
                    staged = None
            except OSError as exc:
                if exc.errno == errno.EEXIST:
                    return None
                raise self.failure("write", exc)
            finally:
                if staged:
                    os.unlink(staged)
        return record

    def delete(self, current):
        with self.guarded():
            if not same(self.load(), current):
                return False
            try:
                os.unlink(self.path)
            except OSError as exc:
                if exc.errno == errno.ENOENT:
                    return False
                raise self.failure("remove", exc)
        return True

    def load(self):
        try:
            with open(self.path) as handle:
                text = handle.read()
        except (IOError, OSError) as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise self.failure("read", exc)
        try:
            found = json.loads(text)
        except ValueError:
            found = None
        if not isinstance(found, dict):
            raise RunbookError("%s is not a lock record (JSON with holder, pid, host, expires); nothing was changed. "
                               "Remove it if no run is going on" % self.path, lock_file=self.path)
        return dict((key, found.get(key)) for key in records.FIELDS)

    def stage(self, record):
        try:
            handle, staged = tempfile.mkstemp(prefix=".runbook-run-", suffix=".tmp", dir=os.path.dirname(self.path))
            with os.fdopen(handle, "w") as stream:
                json.dump(records.public(record), stream, sort_keys=True)
                stream.write("\n")
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(staged, 0o644)
        except (IOError, OSError) as exc:
            raise self.failure("write", exc)
        return staged

    @contextmanager
    def guarded(self):
        try:
            handle = os.open(self.guard_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise self.failure("open the guard of", exc)
        try:
            if not flock_within(handle, GUARD_WAIT_SECONDS, GUARD_POLL_SECONDS):
                raise RunbookError("%s stayed locked for %ss: a process is stuck inside a lock operation; "
                                   "nothing was changed" % (self.guard_path, GUARD_WAIT_SECONDS))
            yield
        finally:
            os.close(handle)

    def failure(self, verb, exc):
        return RunbookError("Cannot %s lock file %s: %s" % (verb, self.path, exc.strerror or exc))


def same(found, current):
    return records.public(found) == records.public(current)
