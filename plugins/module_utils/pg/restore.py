# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pg_restore: resolve the source, prove its checksum, check the target, then restore.

A restore into an existing database completes or leaves the target as it was. ``swap`` (the default) restores
into a scratch database next to the target, checks it, and only then swaps the names; ``transaction`` restores
in place in one transaction. Every failure says what happened to the target (``target_changed``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import catalog, client, connection, keys, load
from ansible_collections.runbook.ops.plugins.module_utils.pg import manifest as manifests, swap, verify
from ansible_collections.runbook.ops.plugins.module_utils.pg.backup import Backup
from ansible_collections.runbook.ops.plugins.module_utils.pg.storage import open_destination
from ansible_collections.runbook.ops.plugins.module_utils.pg.streams import CHUNK
from ansible_collections.runbook.ops.plugins.module_utils.pg.verify import HashingReader, check_stored
from ansible_collections.runbook.ops.plugins.module_utils.timing import utc_now


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
        ("jobs", params["jobs"] == 1 or not _in_place(params),
         "method=transaction restores in one transaction, which pg_restore cannot split over parallel jobs; "
         "use jobs=1 or method=swap"),
        ("maintenance_db", params["maintenance_db"] != params["database"] or not _swapping(params),
         "method=swap renames the target, which needs a connection to another database; name another one"),
        ("keep_previous", not params["keep_previous"] or _swapping(params),
         "only method=swap with target=existing keeps a previous database"),
    )
    for option, valid, fix in checks:
        if not valid:
            raise InputError(option, params.get(option), fix)


def _swapping(params):
    return params["target"] == "existing" and params["method"] == "swap"


def _in_place(params):
    return params["target"] == "existing" and params["method"] == "transaction"


def unchanged(error, database, how=None):
    """``error`` saying the target was left as it was, unless it already says what happened to it."""
    if "target_changed" in error.details:
        return error
    parts = [error.msg.rstrip(" .")] + ([how] if how else []) + ["target %s unchanged" % database]
    return RunbookError("; ".join(parts), **dict(error.details, target_changed=False))


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
        self.archive_path = None
        self.params = params
        self.check_mode = check_mode
        self.timer = timer
        self.database = params["database"]
        self.conn = connection.Connection(params)
        self.storage, self.key = locate(params)

    def plan(self):
        try:
            with self.timer.phase("source"):
                self._resolve_source()
                self._check_checksum()
                self._check_content()
            with self.timer.phase("target"):
                self._check_target()
        except BaseException:
            self.cleanup()
            raise
        return {"source_key": self.storage.uri(self.key), "manifest": self.manifest,
                "other_sessions": self.sessions, "authenticated": self.proof["authenticated"],
                "identity": self.proof["identity"], "method": self.method, "scratch_database": self.scratch,
                "previous_database": self.previous}

    def _check_content(self):
        """The manifest's HMAC (with manifest_hmac_key) and the dump's identity, before the target is touched."""
        try:
            self.proof = verify.check_source(self.storage, self.key, self.manifest, self.params,
                                             self.conn.child_env(self.database), self.etag)
        except RunbookError:
            self.cleanup()
            raise

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
        """Reads the whole backup once before the target is touched: its checksum and, for a custom archive,
        every data block through ``pg_restore --file=/dev/null``, so damage pg_restore would only meet mid-way
        is found before anything is restored. With jobs > 1 a custom archive is kept in a temporary file, since
        a parallel pg_restore needs a seekable file."""
        self.archive_path = None
        self.etag = self.storage.etag(self.key)
        reader = HashingReader(self.storage.open_reader(self.key, etag=self.etag))
        unreadable = None
        try:
            if self.params["jobs"] > 1 and self.format == "custom" and not self.check_mode:
                self.archive_path = _download(reader)
            elif self.format == "custom":
                unreadable = self._read_through(reader)
            check_stored(reader, self.manifest["checksum"], self.manifest["size"], self.storage.uri(self.key))
            if self.archive_path:
                unreadable = self._read_through(None)
            if unreadable:
                raise RunbookError("Backup %s is not readable end to end: %s" % (self.storage.uri(self.key),
                                                                                 unreadable.msg),
                                   source_key=self.storage.uri(self.key))
        except RunbookError:
            self.cleanup()
            raise

    def _read_through(self, reader):
        """The error of pg_restore reading the whole archive (from ``reader`` or the downloaded file), or None."""
        pg_restore = client.locate("pg_restore", self.params.get("bin_dir"))
        env = self.conn.child_env(self.params["maintenance_db"])
        try:
            if reader is None:
                load.run([pg_restore, "--file=/dev/null", self.archive_path], env, "reading the archive")
            else:
                load.feed(reader, [pg_restore, "--file=/dev/null"], env, what="reading the archive")
        except RunbookError as exc:
            return exc
        return None

    def _check_target(self):
        self.pg_restore = client.locate("psql" if self.format == "plain" else "pg_restore", self.params.get("bin_dir"))
        with self.conn.connected(self.params["maintenance_db"]) as admin:
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
        if exists:
            self._refuse_non_empty()
        self.server_major = server_major
        self.method = self.params["method"] if self.params["target"] == "existing" else "new"
        self.scratch = self.previous = None
        if _swapping(self.params):
            self._plan_swap()

    def _plan_swap(self):
        """What the swap needs, checked before anything is written: CREATEDB, no sessions it could not end, a
        free scratch name, and the target's database-level properties to give the scratch database."""
        with self.conn.connected(self.params["maintenance_db"]) as admin:
            if not connection.can_create_database(admin):
                raise RunbookError("method=swap restores into a scratch database, but user %s may not create "
                                   "databases (CREATEDB); grant it or use method=transaction"
                                   % self.conn.params.get("user", "(libpq default)"))
            sessions = swap.client_sessions(admin, self.database)
            if sessions and not self.params["terminate_sessions"]:
                raise RunbookError("Database %s has %d other session(s), which block the rename that swaps the "
                                   "restored database in; set terminate_sessions=true or end them"
                                   % (self.database, sessions), database=self.database)
            self.scratch = swap.scratch_name(self.database)
            taken = connection.database_exists(admin, self.scratch)
            if taken and not swap.is_scratch(admin, self.scratch, self.database):
                raise RunbookError("Database %s exists and is not a restore scratch database of %s; rename or drop "
                                   "it" % (self.scratch, self.database), database=self.scratch)
            self.properties = swap.read_properties(admin, self.database)
            if self.params["keep_previous"]:
                self.previous = swap.previous_name(admin, self.database, utc_now())

    def _refuse_non_empty(self):
        with self.conn.connected(self.database) as target:
            objects = connection.user_relation_count(target)
        if objects and not self.params["force"]:
            raise RunbookError("Database %s is not empty (%d objects); set force=true to overwrite it"
                               % (self.database, objects), database=self.database, objects=objects)

    def apply(self):
        result = {"safety_backup_key": None, "terminated_sessions": 0, "previous_database": None}
        try:
            if self.params["safety_backup"] and self.params["target"] == "existing":
                with self.timer.phase("safety_backup"):
                    result["safety_backup_key"] = self._safety_backup()
            if self.params["target"] == "new":
                result.update(self._restore_new())
            elif _swapping(self.params):
                result.update(self._restore_and_swap())
            else:
                result.update(self._restore_in_place())
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

    def _restorer(self, clean, single_transaction=False):
        reader = None if self.archive_path else self._second_read()
        return load.restorer(self.conn, self.params.get("bin_dir"), reader, self.format, self.gunzip,
                             clean=clean, jobs=self.params["jobs"], no_owner=self.params["no_owner"],
                             no_privileges=self.params["no_privileges"], archive_path=self.archive_path,
                             single_transaction=single_transaction)

    def _restore_and_swap(self):
        """Restores into the scratch database, checks it, then swaps names: the target is not touched until
        the restore is complete, and the rename is the only change made to it."""
        with self.conn.connected(self.params["maintenance_db"]) as admin:
            result = self._fill_scratch(admin)
            with self.timer.phase("swap"):
                previous = swap.previous_name(admin, self.database, utc_now())
                try:
                    result["terminated_sessions"] = swap.swap(admin, self.database, self.scratch, previous,
                                                              self.params["terminate_sessions"])
                except RunbookError as exc:
                    raise unchanged(exc, self.database, self._drop_scratch(admin))
                if self.params["keep_previous"]:
                    result["previous_database"] = previous
                else:
                    self._drop_previous(admin, previous)
        return result

    def _fill_scratch(self, admin):
        with self.timer.phase("restore"):
            try:
                swap.prepare(admin, self.scratch, self.database, self.properties, self.server_major)
            except RunbookError as exc:
                raise unchanged(exc, self.database)
        try:
            with self.timer.phase("restore"):
                self._restorer(clean=False)(self.scratch)
            with self.timer.phase("count"):
                rows, checked = self._checked_rows(self.scratch)
            swap.finish(admin, self.scratch, self.properties)
        except RunbookError as exc:
            raise unchanged(exc, self.database, self._drop_scratch(admin))
        except BaseException:
            self._drop_scratch(admin)
            raise
        return {"rows": rows, "row_counts_checked": checked}

    def _drop_scratch(self, admin):
        """Drops the scratch database; says what became of it."""
        try:
            connection.drop_database(admin, self.scratch)
        except RunbookError as exc:
            return ("the scratch database %s could not be dropped (%s); the next restore into %s drops it"
                    % (self.scratch, exc.msg, self.database))
        return "the scratch database %s was dropped" % self.scratch

    def _drop_previous(self, admin, previous):
        try:
            connection.drop_database(admin, previous)
        except RunbookError as exc:
            raise RunbookError("Target %s was restored, but the database it replaced, now named %s, could not be "
                               "dropped: %s; drop it by hand" % (self.database, previous, exc.msg),
                               previous_database=previous, target_changed=True)

    def _restore_in_place(self):
        """One transaction (pg_restore --single-transaction, psql with ON_ERROR_STOP): a failure rolls back."""
        result = {}
        if self.params["terminate_sessions"]:
            with self.conn.connected(self.params["maintenance_db"]) as admin:
                result["terminated_sessions"] = connection.terminate_sessions(admin, self.database)
        try:
            with self.timer.phase("restore"):
                self._restorer(clean=True, single_transaction=True)(self.database)
        except RunbookError as exc:
            raise unchanged(exc, self.database, "the restore ran in one transaction, which was rolled back")
        try:
            with self.timer.phase("count"):
                result["rows"], result["row_counts_checked"] = self._checked_rows(self.database)
        except RunbookError as exc:
            raise RunbookError("%s; the restore was committed: target %s holds what was restored"
                               % (exc.msg.rstrip(" ."), self.database), **dict(exc.details, target_changed=True))
        return result

    def _restore_new(self):
        """Creates the database, restores into it and checks it; drops it again on any failure."""
        with self.conn.connected(self.params["maintenance_db"]) as admin:
            connection.create_database(admin, self.database)
            try:
                with self.timer.phase("restore"):
                    self._restorer(clean=False)(self.database)
                with self.timer.phase("count"):
                    rows, checked = self._checked_rows(self.database)
            except RunbookError as exc:
                connection.drop_database(admin, self.database)
                raise unchanged(exc, self.database, "the new database was dropped again")
            except BaseException:
                connection.drop_database(admin, self.database)
                raise
        return {"rows": rows, "row_counts_checked": checked}

    def _checked_rows(self, database):
        """Exact row counts of the restored database, compared with the manifest's (when it records them);
        every table the backup had must be there."""
        with self.conn.connected(database) as conn:
            rows = connection.row_counts(conn)
        checked = verify.check_row_counts(self.manifest, rows, database)
        missing = sorted(set(self.manifest.get("row_estimates") or {}) - set(rows))
        if missing:
            raise RunbookError("The restored database %s lacks %d table(s) of the backup: %s"
                               % (database, len(missing), ", ".join(missing[:10])), missing_tables=missing)
        return rows, checked

    def _second_read(self):
        """The backup read again for the restore; S3 refuses it if the object changed since it was checked."""
        return self.storage.open_reader(self.key, etag=self.etag)

    def target_tables(self, exact=False):
        """Row counts of the target's tables, exact or the planner's estimates ({} when it does not exist yet)."""
        if not self.target_exists:
            return {}
        with self.conn.connected(self.database) as target:
            return connection.row_counts(target) if exact else connection.row_estimates(target)

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
