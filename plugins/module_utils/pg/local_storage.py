# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The directory backend of ``storage``: backups as files under a directory.

A file system error (full disk, file size limit, a regular file in the path) becomes a RunbookError
naming the path and the cause.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg.streams import HashingWriter

OS_ERROR_HINTS = {
    errno.ENOSPC: "the file system is full: free space or choose another destination",
    errno.EDQUOT: "the disk quota is exhausted: raise it or choose another destination",
    errno.EFBIG: "the file exceeds the file size limit (ulimit -f) or the file system's largest file",
    errno.ENOTDIR: "a part of the path is a regular file, not a directory",
    errno.EROFS: "the file system is mounted read-only",
    errno.EACCES: "permission denied for the user the module runs as",
    errno.EIO: "the disk reported an I/O error",
}


class LocalStorage:
    """Backups as files under a directory; keys are relative paths with '/'."""

    def __init__(self, root):
        if not os.path.isabs(root):
            raise InputError("destination", root, "give an absolute directory or s3://bucket/prefix/")
        self.root = os.path.normpath(root)

    def uri(self, key):
        return os.path.join(self.root, *key.split("/"))

    def key_of(self, location):
        """Key of an absolute path under the root, or None."""
        path = os.path.normpath(location)
        if not path.startswith(self.root + os.sep):
            return None
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    def check(self, writable):
        blocker = _file_in_path(self.root)
        if blocker:
            kind = "a regular file, not a directory" if os.path.isfile(blocker) else "not a directory"
            raise RunbookError("Destination %s cannot be a directory: %s is %s (ENOTDIR)" % (self.root, blocker, kind),
                               destination=self.root, errno="ENOTDIR", failed_path=blocker)
        if os.path.isdir(self.root):
            if writable and not os.access(self.root, os.W_OK | os.X_OK):
                raise RunbookError("Destination directory %s is not writable" % self.root, destination=self.root)
            return
        parent = _existing_parent(self.root)
        if writable and not os.access(parent, os.W_OK | os.X_OK):
            raise RunbookError("Destination directory %s does not exist and %s is not writable"
                               % (self.root, parent), destination=self.root)

    def open_writer(self, key, expected_size=0):
        return HashingWriter(_LocalSink(self.uri(key), self.root))

    def put_bytes(self, key, data):
        """Written to ``<path>.partial`` and renamed, so a reader never sees half a file; nothing stays on failure."""
        path = self.uri(key)
        _makedirs(os.path.dirname(path))
        partial = path + ".partial"
        try:
            with open(partial, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.rename(partial, path)
        except (IOError, OSError) as exc:
            _remove(partial)
            raise os_error("write", path, exc)

    def read_bytes(self, key):
        with self.open_reader(key) as handle:
            return handle.read()

    def etag(self, key):
        return None

    def open_reader(self, key, etag=None):
        try:
            return open(self.uri(key), "rb")
        except (IOError, OSError) as exc:
            raise RunbookError("Cannot read %s: %s" % (self.uri(key), exc.strerror), key=self.uri(key))

    def exists(self, key):
        return os.path.isfile(self.uri(key))

    def list(self):
        """Every file under the root as ``{key, size}``."""
        found = []
        for directory, _dirs, files in os.walk(self.root):
            for name in files:
                path = os.path.join(directory, name)
                found.append({"key": self.key_of(path), "size": os.path.getsize(path)})
        return found

    def incomplete_uploads(self):
        """A directory has no multipart uploads; an interrupted file is a leftover without a manifest."""
        return []

    def delete(self, key):
        _remove(self.uri(key))


class _LocalSink:
    """Writes one file; on abort removes it and the date directories it created (never the root)."""

    def __init__(self, path, root):
        self.path = path
        self.root = root
        _makedirs(os.path.dirname(path))
        try:
            self._handle = open(path, "wb")
        except (IOError, OSError) as exc:
            self._remove_empty_dirs()
            raise os_error("create", path, exc)

    def write(self, data):
        try:
            self._handle.write(data)
        except (IOError, OSError) as exc:
            raise os_error("write", self.path, exc)

    def commit(self):
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
        except (IOError, OSError) as exc:
            raise os_error("write", self.path, exc)

    def abort(self, cause=None):
        try:
            self._handle.close()
        except (IOError, OSError):
            pass  # a full disk fails the flush of what is buffered, and the file goes anyway
        _remove(self.path)
        self._remove_empty_dirs()

    def _remove_empty_dirs(self):
        directory = os.path.dirname(self.path)
        while directory.startswith(self.root + os.sep):
            try:
                os.rmdir(directory)
            except OSError:
                return  # not empty: another backup lives there
            directory = os.path.dirname(directory)


def os_error(action, path, exc):
    """A RunbookError naming the path, the errno and what it means here."""
    code = errno.errorcode.get(exc.errno, "errno %s" % exc.errno)
    hint = OS_ERROR_HINTS.get(exc.errno)
    return RunbookError("Cannot %s %s: %s (%s)%s" % (action, path, exc.strerror or exc, code,
                                                     "; " + hint if hint else ""),
                        failed_path=path, errno=code)


def _remove(path):
    try:
        os.remove(path)
    except OSError as exc:
        if os.path.exists(path):
            raise os_error("remove", path, exc)


def _makedirs(path):
    try:
        if not os.path.isdir(path):
            os.makedirs(path)
    except (IOError, OSError) as exc:
        raise os_error("create directory", path, exc)


def _existing_parent(path):
    while not os.path.isdir(path):
        path = os.path.dirname(path)
    return path


def _file_in_path(path):
    """The nearest existing ancestor of ``path`` (or ``path`` itself) when it is not a directory, else None."""
    while not os.path.lexists(path):
        path = os.path.dirname(path)
    return None if os.path.isdir(path) else path
