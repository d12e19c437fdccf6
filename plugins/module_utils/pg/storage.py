# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where backups live: a local directory or an S3 prefix, behind one interface.

Keys are relative to the destination; ``uri(key)`` gives the full location. Writers hash (SHA-256)
and count the stream as it flows, hold at most one part in memory, and remove what they wrote
when aborted (S3: the multipart upload is aborted). A file system error (full disk, file size limit, a
regular file in the path) becomes a RunbookError naming the path and the cause.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import os

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.runbook.ops.plugins.module_utils.aws import options as aws_options
from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError

MIN_PART_SIZE = 8 * 1024 * 1024
MAX_PARTS_TARGET = 9000
CHUNK = 1024 * 1024
OS_ERROR_HINTS = {
    errno.ENOSPC: "the file system is full: free space or choose another destination",
    errno.EDQUOT: "the disk quota is exhausted: raise it or choose another destination",
    errno.EFBIG: "the file exceeds the file size limit (ulimit -f) or the file system's largest file",
    errno.ENOTDIR: "a part of the path is a regular file, not a directory",
    errno.EROFS: "the file system is mounted read-only",
    errno.EACCES: "permission denied for the user the module runs as",
    errno.EIO: "the disk reported an I/O error",
}


def part_size(expected_size, minimum=MIN_PART_SIZE):
    """Part size keeping a dump of ``expected_size`` bytes well below S3's 10,000 parts."""
    return max(minimum, -(-(expected_size or 0) // MAX_PARTS_TARGET))


def split_s3_uri(uri):
    """(bucket, prefix) of ``s3://bucket/prefix/``."""
    rest = uri[len("s3://"):]
    bucket, _sep, prefix = rest.partition("/")
    if not bucket:
        raise InputError("destination", uri, "an S3 destination is s3://bucket/prefix/")
    return bucket, prefix.strip("/")


class HashingWriter:
    """Counts and hashes what passes through, then hands it to ``sink``."""

    def __init__(self, sink):
        self._sink = sink
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self._hash.update(data)
        self.size += len(data)
        self._sink.write(data)
        return len(data)

    @property
    def checksum(self):
        return "sha256:" + self._hash.hexdigest()

    def commit(self):
        self._sink.commit()
        return {"size": self.size, "checksum": self.checksum}

    def abort(self, cause=None):
        self._sink.abort(cause)


def copy_stream(source, writer, chunk=CHUNK):
    """Copies through one reused buffer; every writer copies or writes what it is given before returning."""
    buffer = bytearray(chunk)
    view = memoryview(buffer)
    while True:
        count = source.readinto(buffer)
        if not count:
            return
        writer.write(view[:count])


def sha256_of(reader, chunk=CHUNK):
    """(checksum, size) of everything ``reader`` yields."""
    digest = hashlib.sha256()
    size = 0
    while True:
        data = reader.read(chunk)
        if not data:
            return "sha256:" + digest.hexdigest(), size
        digest.update(data)
        size += len(data)


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


def open_destination(destination, params):
    """Storage for ``destination`` (a directory or ``s3://bucket/prefix/``) configured from module params.

    The S3 backend (and boto3) is only imported for S3 destinations, which keeps local backups quick to start.
    """
    if not destination.startswith("s3://"):
        return LocalStorage(destination)
    from ansible_collections.runbook.ops.plugins.module_utils.pg import s3
    if not s3.HAS_BOTO3:
        raise RunbookError(missing_required_lib("boto3"), destination=destination)
    client = s3.s3_client(params)
    return s3.S3Storage(destination, client, sse=params.get("sse"), sse_kms_key_id=params.get("sse_kms_key_id"),
                        storage_class=params.get("storage_class"),
                        min_part_size=params.get("part_size") or MIN_PART_SIZE,
                        checksum_compat=params.get("s3_checksum_compat"))


def argument_spec():
    """Options of the runbook.ops.aws and runbook.ops.s3 documentation fragments."""
    return dict(
        aws_options.argument_spec(),
        validate_certs=dict(type="bool", default=True),
        sse=dict(type="str", choices=["AES256", "aws:kms"]),
        sse_kms_key_id=dict(type="str", no_log=False),
        storage_class=dict(type="str"),
        s3_checksum_compat=dict(type="bool", default=False),
        part_size=dict(type="int"),
    )
