# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proof that a stored backup restores: read it whole (archive) or restore it into a scratch database."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import shutil

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import connection, load
from ansible_collections.runbook.ops.plugins.module_utils.pg.storage import CHUNK


class HashingReader:
    """Hashes what is read through it, so a stored object is checked while it is being used."""

    def __init__(self, reader):
        self._reader = reader
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, size=-1):
        data = self._reader.read(size) if size is not None and size >= 0 else self._reader.read()
        self._hash.update(data)
        self.size += len(data)
        return data

    def drain(self):
        while self.read(CHUNK):
            pass

    @property
    def checksum(self):
        return "sha256:" + self._hash.hexdigest()


def check_stored(reader, expected_checksum, expected_size, what):
    reader.drain()
    if reader.size != expected_size or reader.checksum != expected_checksum:
        raise RunbookError("%s does not match its manifest: %d bytes with %s, expected %d bytes with %s"
                           % (what, reader.size, reader.checksum, expected_size, expected_checksum),
                           actual_checksum=reader.checksum, expected_checksum=expected_checksum)


def read_archive(reader, fmt, gunzip, pg_restore, env):
    """Reads the whole archive as pg_restore would (to /dev/null): catches truncation and corruption,
    which ``pg_restore --list`` does not (it reads the table of contents only)."""
    if fmt == "plain":
        load.scan_plain(reader, gunzip)
    elif fmt == "custom":
        load.feed(reader, [pg_restore, "--file=/dev/null"], env)
    else:
        parent, dump_dir = load.extract_tar(reader)
        try:
            load.run([pg_restore, "-Fd", "--file=/dev/null", dump_dir], env)
        finally:
            shutil.rmtree(parent, ignore_errors=True)


def compare_counts(source, restored):
    """Tables whose row counts differ, as {table: {source, restored}}."""
    return dict((table, {"source": source.get(table), "restored": restored.get(table)})
                for table in sorted(set(source) | set(restored)) if source.get(table) != restored.get(table))


def restore_into_scratch(conn, maintenance_db, scratch, restore, expected_counts):
    """Creates ``scratch``, runs ``restore(scratch)``, compares row counts, always drops it again."""
    admin = conn.connect(maintenance_db)
    try:
        connection.drop_database(admin, scratch)
        connection.create_database(admin, scratch)
        try:
            restore(scratch)
            restored_conn = conn.connect(scratch)
            try:
                restored = connection.row_counts(restored_conn)
            finally:
                restored_conn.close()
        finally:
            connection.drop_database(admin, scratch)
    finally:
        admin.close()
    differences = compare_counts(expected_counts, restored)
    if differences:
        raise RunbookError("The restored scratch database %s has other row counts than the source" % scratch,
                           row_count_differences=differences)
    return restored


def prove(storage, key, manifest, method, pg_restore=None, env=None):
    """Re-checks a stored backup: ``checksum`` compares SHA-256 and size with its manifest, ``archive`` also
    reads the whole archive through pg_restore first. Returns ``{method, passed, error}``."""
    reader = HashingReader(storage.open_reader(key))
    try:
        if method == "archive":
            read_archive(reader, manifest["format"], key.endswith(".gz"), pg_restore, env)
        check_stored(reader, manifest["checksum"], manifest["size"], storage.uri(key))
    except RunbookError as exc:
        return {"method": method, "passed": False, "error": exc.msg}
    return {"method": method, "passed": True, "error": None}
