# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pg_restore: resolve the source, prove its checksum, check the target, then restore."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import catalog, client, connection, keys, load
from ansible_collections.runbook.ops.plugins.module_utils.pg import manifest as manifests
from ansible_collections.runbook.ops.plugins.module_utils.pg.backup import Backup
from ansible_collections.runbook.ops.plugins.module_utils.pg.storage import CHUNK, open_destination
from ansible_collections.runbook.ops.plugins.module_utils.pg.verify import HashingReader, check_stored


def validate(params):
    source, destination = params["source"], params.get("destination")
    located = source.startswith("s3://") or os.path.isabs(source)
    checks = (
        ("destination", located or bool(destination),
         "give the directory or s3:// prefix that '%s' resolves against" % source),
        ("jobs", params["jobs"] >= 1, "use 1 or more"),
        ("database", bool(params["database"]), "name the database to restore into"),
        ("safety_backup", not params["safety_backup"] or bool(destination),
         "a safety backup is written to destination; set it"),
        ("source_database", params["source"] != "latest" or bool(params.get("source_database") or params["database"]),
         "name the database whose latest backup to restore"),
    )
    for option, valid, fix in checks:
        if not valid:
            raise InputError(option, params.get(option), fix)


def locate(params):
    """(storage, key) of the source: ``latest``, a key relative to destination, a path or an s3:// URI."""
    source, destination = params["source"], params.get("destination")
    if destination:
        storage = open_destination(destination, params)
        if source == "latest":
            return storage, None
        if not (source.startswith("s3://") or os.path.isabs(source)):
            return storage, source.strip("/")
        key = storage.key_of(source)
        if key:
            return storage, key
    if source.startswith("s3://"):
        bucket, _sep, key = source[len("s3://"):].partition("/")
        return open_destination("s3://%s/" % bucket, params), key
    return open_destination(os.path.dirname(source), params), os.path.basename(source)


class Restore:
    def __init__(self, params, timer, check_mode=False):
        validate(params)
        self.params = params
        self.check_mode = check_mode
        self.timer = timer
        self.database = params["database"]
        self.conn = connection.Connection(params)
        self.storage, self.key = locate(params)

    def plan(self):
        with self.timer.phase("source"):
            self._resolve_source()
            self._check_checksum()
        with self.timer.phase("target"):
            self._check_target()
        return {"source_key": self.storage.uri(self.key), "manifest": self.manifest,
                "other_sessions": self.sessions}

    def _resolve_source(self):
        if self.key is None:
            source_db = self.params.get("source_database") or self.database
            complete, _leftovers = catalog.scan(self.storage, source_db)
            if not complete:
                raise RunbookError("No complete backup of %s under %s" % (source_db, self.params["destination"]))
            self.key = complete[0]["key"]
        manifest_key = keys.manifest_key(self.key)
        if not self.storage.exists(self.key):
            raise RunbookError("Backup %s does not exist" % self.storage.uri(self.key), source_key=self.storage.uri(self.key))
        if not self.storage.exists(manifest_key):
            raise RunbookError("Backup %s has no manifest: it is incomplete or was not written by pg_backup; "
                               "refusing to restore it" % self.storage.uri(self.key), source_key=self.storage.uri(self.key))
        self.manifest = manifests.parse(self.storage.read_bytes(manifest_key), self.storage.uri(manifest_key))
        if not self.key.endswith(self.manifest["key"].rsplit("/", 1)[-1]):
            raise RunbookError("Manifest %s describes %s, not this backup" % (manifest_key, self.manifest["key"]))
        self.format = self.manifest["format"]
        self.gunzip = self.key.endswith(".gz")

    def _check_checksum(self):
        """Reads the whole backup once before the target is touched; with jobs > 1 a custom archive is kept
        in a temporary file, since a parallel pg_restore needs a seekable file."""
        self.archive_path = None
        self.etag = self.storage.etag(self.key)
        reader = HashingReader(self.storage.open_reader(self.key, etag=self.etag))
        if self.params["jobs"] > 1 and self.format == "custom" and not self.check_mode:
            self.archive_path = _download(reader)
        try:
            check_stored(reader, self.manifest["checksum"], self.manifest["size"], self.storage.uri(self.key))
        except RunbookError:
            self.cleanup()
            raise

    def _check_target(self):
        self.pg_restore = client.locate("psql" if self.format == "plain" else "pg_restore", self.params.get("bin_dir"))
        admin = self.conn.connect(self.params["maintenance_db"])
        try:
            server_major = connection.server_version(admin)[0]
            exists = connection.database_exists(admin, self.database)
            if self.params["target"] == "new" and exists:
                raise RunbookError("Database %s already exists; target=new restores into a database it creates. "
                                   "Choose another name or target=existing" % self.database, database=self.database)
            if self.params["target"] == "existing" and not exists:
                raise RunbookError("Database %s does not exist; use target=new to create it" % self.database,
                                   database=self.database)
            if self.params["target"] == "new" and not connection.can_create_database(admin):
                raise RunbookError("User %s may not create databases (CREATEDB)" % self.conn.params.get("user"))
            self.sessions = connection.other_sessions(admin, self.database) if exists else 0
            self.target_exists = exists
        finally:
            admin.close()
        if exists:
            self._refuse_non_empty()
        self.server_major = server_major

    def _refuse_non_empty(self):
        target = self.conn.connect(self.database)
        try:
            objects = connection.user_relation_count(target)
        finally:
            target.close()
        if objects and not self.params["force"]:
            raise RunbookError("Database %s is not empty (%d objects); set force=true to overwrite it"
                               % (self.database, objects), database=self.database, objects=objects)

    def apply(self):
        result = {"safety_backup_key": None, "terminated_sessions": 0}
        try:
            if self.params["safety_backup"] and self.params["target"] == "existing":
                with self.timer.phase("safety_backup"):
                    result["safety_backup_key"] = self._safety_backup()
            if self.params["terminate_sessions"] and self.params["target"] == "existing":
                admin = self.conn.connect(self.params["maintenance_db"])
                try:
                    result["terminated_sessions"] = connection.terminate_sessions(admin, self.database)
                finally:
                    admin.close()
            with self.timer.phase("restore"):
                self._restore()
            with self.timer.phase("count"):
                result["rows"] = self._row_counts()
        finally:
            self.cleanup()
        return result

    def _safety_backup(self):
        params = dict(self.params, database=self.database, format="custom", compression=None, jobs=1,
                      verify="archive", keep_days=None, keep_last=None, retention_only=False,
                      incomplete_grace_hours=876000.0)
        backup = Backup(params, self.timer)
        plan = backup.plan()
        backup.apply()
        return backup.storage.uri(plan["key"])

    def _restore(self):
        new = self.params["target"] == "new"
        reader = None if self.archive_path else self._second_read()
        restore = load.restorer(self.conn, self.params.get("bin_dir"), reader, self.format, self.gunzip,
                                clean=not new, jobs=self.params["jobs"], no_owner=self.params["no_owner"],
                                no_privileges=self.params["no_privileges"], archive_path=self.archive_path)
        if not new:
            restore(self.database)
            return
        admin = self.conn.connect(self.params["maintenance_db"])
        try:
            connection.create_database(admin, self.database)
            try:
                restore(self.database)
            except BaseException:
                connection.drop_database(admin, self.database)
                raise
        finally:
            admin.close()

    def _second_read(self):
        """The backup read again for the restore; S3 refuses it if the object changed since it was checked."""
        return self.storage.open_reader(self.key, etag=self.etag)

    def target_tables(self):
        """Planner row estimates of the target's tables ({} when it does not exist yet)."""
        if not self.target_exists:
            return {}
        target = self.conn.connect(self.database)
        try:
            return connection.row_estimates(target)
        finally:
            target.close()

    def _row_counts(self):
        target = self.conn.connect(self.database)
        try:
            return connection.row_counts(target)
        finally:
            target.close()

    def cleanup(self):
        if self.archive_path:
            shutil.rmtree(os.path.dirname(self.archive_path), ignore_errors=True)
            self.archive_path = None


def _download(reader):
    directory = tempfile.mkdtemp(prefix="runbook-pgrestore-")
    path = os.path.join(directory, "archive.dump")
    try:
        with open(path, "wb") as handle:
            while True:
                data = reader.read(CHUNK)
                if not data:
                    break
                handle.write(data)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return path
