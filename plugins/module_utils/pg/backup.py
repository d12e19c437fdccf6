# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pg_backup: validate, prepare, stream pg_dump to the destination, verify, write the manifest, apply retention."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import (
    catalog, client, connection, dump, keys, load, manifest as manifests, retention, verify)
from ansible_collections.runbook.ops.plugins.module_utils.pg.storage import open_destination
from ansible_collections.runbook.ops.plugins.module_utils.timing import utc_now

VERIFY_METHODS = ("none", "archive", "restore")


def validate(params):
    """Raises InputError for option values the run cannot use, before anything is touched."""
    checks = (
        ("keep_days", params.get("keep_days") is None or params["keep_days"] >= 0, "use 0 or more days"),
        ("keep_last", params.get("keep_last") is None or params["keep_last"] >= 1,
         "keep at least 1 backup (the newest verified one is always kept)"),
        ("jobs", params["jobs"] >= 1, "use 1 or more"),
        ("jobs", params["jobs"] == 1 or params["format"] == "directory",
         "parallel dumps need format=directory; use jobs=1 for custom and plain"),
        ("incomplete_grace_hours", params["incomplete_grace_hours"] >= 0, "use 0 or more hours"),
        ("part_size", params.get("part_size") is None or params["part_size"] >= 5 * 1024,
         "use at least 5 KiB (S3 itself requires 5 MiB parts)"),
        ("database", bool(params["database"]), "name the database to back up"),
        ("count_rows", params.get("count_rows", True) or params["verify"] != "restore",
         "verify=restore compares row counts with the dump's snapshot; keep count_rows=true or use verify=archive"),
        ("manifest_hmac_key", params.get("manifest_hmac_key") is None or bool(params["manifest_hmac_key"]),
         "give a non-empty key, or leave it unset for an unsigned manifest"),
        ("retention_only", not params["retention_only"] or params.get("keep_days") is not None
         or params.get("keep_last") is not None, "set keep_days and/or keep_last for a retention-only run"),
    )
    for option, valid, fix in checks:
        if not valid:
            raise InputError(option, params.get(option), fix)


class Backup:
    """One pg_backup run; ``plan()`` checks everything read-only, ``apply()`` writes."""

    def __init__(self, params, timer):
        validate(params)
        self.params = params
        self.timer = timer
        self.database = params["database"]
        self.conn = connection.Connection(params)
        self.storage = open_destination(params["destination"], params)
        self.now = utc_now()

    def plan(self):
        with self.timer.phase("connect"):
            self._check_client_and_server()
        with self.timer.phase("destination"):
            self.storage.check(writable=True)
            self.complete, self.leftovers = catalog.scan(self.storage, self.database)
        self.key = None
        if not self.params["retention_only"]:
            compressed = dump.is_compressed(self.compression_arg)
            self.key = keys.artifact_key("", self.database, self.now,
                                         keys.extension(self.params["format"], compressed))
        with self.timer.phase("retention_plan"):
            return self._retention_plan()

    def _check_client_and_server(self):
        bin_dir = self.params.get("bin_dir")
        self.pg_dump = client.locate("pg_dump", bin_dir)
        self.client_major, self.client_version = client.version(self.pg_dump)
        self.compression_arg, self.compression = dump.parse_compression(self.params.get("compression"),
                                                                        self.client_major)
        with self.conn.connected(self.database) as db:
            self.server_major, self.server_version = connection.server_version(db)
            client.require_not_older(self.pg_dump, self.client_major, self.server_major)
            unreadable = connection.unreadable_tables(db)
            if unreadable:
                raise RunbookError("User %s cannot read %d table(s) of %s, so pg_dump would fail: %s"
                                   % (self.conn.params.get("user", "(libpq default)"), len(unreadable), self.database,
                                      ", ".join(unreadable[:10])), unreadable_tables=unreadable)
            self.expected_size = connection.database_size(db, self.database)
            self.system_identifier = _system_identifier(db)
            if self.params["verify"] == "restore" and not connection.can_create_database(db):
                raise RunbookError("verify=restore needs a scratch database, but user %s may not create databases "
                                   "(CREATEDB); grant it or use verify=archive"
                                   % self.conn.params.get("user", "(libpq default)"))
        # pg_restore reads the table of contents of custom and directory archives for the manifest.
        self.pg_restore = None
        if self.params["verify"] != "none" or self.params["format"] != "plain":
            self.pg_restore = client.locate("pg_restore", bin_dir)
            client.require_not_older(self.pg_restore, client.version(self.pg_restore)[0], self.server_major)

    def _retention_plan(self):
        backups = [{"key": b["key"], "started": b["started"], "verified": b["verified"], "manifest": b["manifest"]}
                   for b in self.complete]
        if self.key:
            backups.append({"key": self.key, "started": self.now, "verified": self.params["verify"] != "none",
                            "fresh": True})
        recheck = self._recheck if self.params.get("retention_recheck", "checksum") == "checksum" else None
        decision = retention.decide(backups, self.now, self.params.get("keep_days"), self.params.get("keep_last"),
                                    recheck)
        grace = self.params["incomplete_grace_hours"]
        stale = retention.stale_leftovers(self.leftovers, self.now, grace)
        self.to_delete = [key for key in decision["delete"] if key != self.key]
        self.stale = stale
        self.stale_uploads = retention.stale_uploads(catalog.open_uploads(self.storage, self.database), self.now, grace)
        uri = self.storage.uri
        return {"key": self.key, "deleted": self.to_delete, "incomplete_deleted": stale,
                "incomplete_uploads_aborted": [catalog.upload_summary(u, self.storage) for u in self.stale_uploads],
                "retention": {"recheck": self.params.get("retention_recheck", "checksum"),
                              "protected": uri(decision["protected"]) if decision["protected"] else None,
                              "rechecked": [dict(item, key=uri(item["key"])) for item in decision["rechecked"]],
                              "reason": decision["reason"]}}

    def _recheck(self, backup):
        """Streams the stored backup once (S3: downloads it) and compares SHA-256 and size with its manifest."""
        try:
            return verify.prove(self.storage, backup["key"], backup["manifest"], "checksum")
        except RunbookError as exc:
            return {"method": "checksum", "passed": False, "error": exc.msg}

    def apply(self):
        result = {}
        if self.key:
            result.update(self._write_backup())
        with self.timer.phase("retention"):
            for key in self.to_delete:
                catalog.delete_backup(self.storage, key)
            for key in self.stale:
                catalog.delete_backup(self.storage, key)
            for upload in self.stale_uploads:
                self.storage.abort_upload(upload["key"], upload["upload_id"])
        return result

    def _write_backup(self):
        started = utc_now()
        clock = time.monotonic()
        with self.conn.connected(self.database, autocommit=False) as snapshot_conn:
            snapshot = connection.export_snapshot(snapshot_conn)
            estimates = connection.row_estimates(snapshot_conn)
            counts = None
            if self.params.get("count_rows", True):
                with self.timer.phase("count"):
                    counts = connection.row_counts(snapshot_conn)
            with self.timer.phase("dump"):
                written = self._stream(snapshot)
        duration = time.monotonic() - clock
        try:
            with self.timer.phase("verify"):
                verification, identity = self._verify(written, counts)
            if identity is None:
                with self.timer.phase("identity"):
                    identity = self._read_identity()
        except BaseException:
            self.storage.delete(self.key)
            raise
        finished = utc_now()
        manifest = self._manifest(written, started, finished, duration, estimates, counts, verification)
        manifest["identity"] = dict(identity, system_identifier=self.system_identifier)
        data = manifests.dumps(manifest, self.params.get("manifest_hmac_key"))
        with self.timer.phase("manifest"):
            try:
                self.storage.put_bytes(keys.manifest_key(self.key), data)
            except BaseException:
                self.storage.delete(self.key)  # a backup without its manifest is only a leftover
                raise
        return {
            "checksum": written["checksum"], "size": written["size"], "verification": verification,
            "duration_s": round(duration, 3),
            "throughput_mib_s": round(written["size"] / 1048576.0 / duration, 2) if duration > 0 else None,
            "manifest": manifests.parse(data, self.storage.uri(keys.manifest_key(self.key))),
            "signed": bool(self.params.get("manifest_hmac_key")),
        }

    def _stream(self, snapshot):
        fmt = self.params["format"]
        output_dir = dump.scratch_dir() if fmt == "directory" else None
        args = dump.argv(self.pg_dump, fmt, self.compression_arg, self.params["jobs"], snapshot, output_dir)
        writer = self.storage.open_writer(self.key, self.expected_size)
        try:
            dump.stream(args, self.conn.child_env(self.database), writer, fmt)
            return writer.commit()
        except BaseException as exc:
            writer.abort(exc)
            raise

    def _verify(self, written, counts):
        """(verification, identity read on the way or None)."""
        method = self.params["verify"]
        if method == "none":
            return {"method": "none", "passed": None}, None
        reader = verify.HashingReader(self.storage.open_reader(self.key))
        fmt = self.params["format"]
        gunzip = self.key.endswith(".gz")
        env = self.conn.child_env(self.database)
        if method == "archive":
            identity = verify.read_archive(reader, fmt, gunzip, self.pg_restore, env)
            verify.check_stored(reader, written["checksum"], written["size"], self.storage.uri(self.key))
            return {"method": "archive", "passed": True}, identity
        scratch = "%s_verify_%s" % (self.database[:40], self.now.strftime("%Y%m%d%H%M%S"))
        restore = load.restorer(self.conn, self.params.get("bin_dir"), reader, fmt, gunzip, clean=False)
        verify.restore_into_scratch(self.conn, self.params["maintenance_db"], scratch, restore, counts)
        verify.check_stored(reader, written["checksum"], written["size"], self.storage.uri(self.key))
        return {"method": "restore", "passed": True, "scratch_database": scratch, "row_counts": counts}, None

    def _read_identity(self):
        reader = self.storage.open_reader(self.key)
        try:
            return verify.read_identity(reader, self.params["format"], self.key.endswith(".gz"), self.pg_restore,
                                        self.conn.child_env(self.database))
        finally:
            reader.close()

    def _manifest(self, written, started, finished, duration, estimates, counts, verification):
        manifest = {
            "key": self.key, "checksum": written["checksum"], "size": written["size"],
            "database": self.database, "format": self.params["format"], "compression": self.compression,
            "server_version": self.server_version, "pg_dump_version": self.client_version,
            "started": started.isoformat(), "finished": finished.isoformat(),
            "duration_s": round(duration, 3), "row_estimates": estimates, "verification": verification,
        }
        if counts is not None:
            manifest["row_counts"] = counts
        return manifest


def _system_identifier(db):
    """The server's system identifier (a string: JSON readers may hold 64-bit integers as floats), or None
    where pg_control_system() is not granted."""
    try:
        return str(connection.query(db, "SELECT system_identifier FROM pg_control_system()")[0][0])
    except RunbookError:
        return None
