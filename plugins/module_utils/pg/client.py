# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PostgreSQL client programs: pg_dump, pg_restore and psql, located and version-checked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import subprocess
import tempfile

try:
    import fcntl
except ImportError:  # not on POSIX: pipes keep the system's size
    fcntl = None

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

_VERSION = re.compile(r"\(PostgreSQL\)\s+((\d+)\S*(?: \([^)]*\))?)")
STDERR_TAIL = 2000
# A dump passes through a pipe; at Linux's default 64 KiB the writer blocks every 64 KiB and both
# sides pay a context switch per block, which a 1 MiB pipe (the unprivileged limit) avoids.
PIPE_SIZE = 1024 * 1024


def locate(name, bin_dir=None):
    """Absolute path of a client program, from ``bin_dir`` or PATH."""
    if bin_dir:
        path = os.path.join(bin_dir, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        raise RunbookError("%s not found in bin_dir %s; install the PostgreSQL client or fix bin_dir" % (name, bin_dir),
                           program=name)
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        path = os.path.join(directory, name)
        if directory and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise RunbookError("%s not found on PATH; install the PostgreSQL client programs or set bin_dir" % name,
                       program=name)


def version(path):
    """(major, version string) of a client program."""
    try:
        output = subprocess.check_output([path, "--version"], stderr=subprocess.STDOUT).decode("utf-8", "replace")
    except (OSError, subprocess.CalledProcessError) as exc:
        raise RunbookError("Cannot run %s --version: %s" % (path, exc), program=path)
    match = _VERSION.search(output)
    if not match:
        raise RunbookError("Cannot read the version of %s from %r" % (path, output.strip()), program=path)
    return int(match.group(2)), match.group(1)


def require_not_older(path, client_major, server_major):
    if client_major < server_major:
        raise RunbookError("%s is version %d but the server is %d: a client older than the server cannot dump it; "
                           "install PostgreSQL %d client programs and point bin_dir at them"
                           % (os.path.basename(path), client_major, server_major, server_major),
                           client_major=client_major, server_major=server_major)


def widen(pipe):
    """Best effort: a pipe that cannot grow (another OS, a lowered limit) works as it is."""
    if fcntl is None or not hasattr(fcntl, "F_SETPIPE_SZ"):
        return
    try:
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except OSError:
        pass


class Child:
    """A client program run with stderr kept in a temporary file, so a full pipe never blocks it."""

    def __init__(self, argv, env, stdin=None, stdout=None):
        self.argv = argv
        self._stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(argv, env=env, stdin=stdin, stdout=stdout, stderr=self._stderr)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                widen(pipe)

    @property
    def stdin(self):
        return self.process.stdin

    @property
    def stdout(self):
        return self.process.stdout

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.wait()

    def wait(self):
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                try:
                    pipe.close()
                except (IOError, OSError):
                    pass
        return self.process.wait()

    def stderr_tail(self):
        self._stderr.seek(0, os.SEEK_END)
        size = self._stderr.tell()
        self._stderr.seek(max(0, size - STDERR_TAIL))
        return self._stderr.read().decode("utf-8", "replace").strip()

    def check(self, what):
        """Waits, then raises with the program's own words when it failed."""
        code = self.wait()
        if code != 0:
            name = os.path.basename(self.argv[0])
            detail = self.stderr_tail() or "no message"
            if code < 0:
                detail = "killed by signal %d. %s" % (-code, detail)
            raise RunbookError("%s failed while %s (exit %d): %s" % (name, what, code, detail), exit_code=code)
        return self.stderr_tail()
