# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proof that a stored backup is the one its manifest describes and that it restores: its checksum, its
content identity (table of contents, database named in the dump), reading it whole (archive), restoring it
into a scratch database and comparing row counts (restore)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zlib

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import client, connection, keys, load
from ansible_collections.runbook.ops.plugins.module_utils.pg import manifest as manifests
from ansible_collections.runbook.ops.plugins.module_utils.pg.client import Child
from ansible_collections.runbook.ops.plugins.module_utils.pg.streams import CHUNK

# Plain scripts carry one comment per TOC entry ("-- Name: items; Type: TABLE; Schema: public; Owner: app").
# Led by the newline rather than ^ with re.M, which is ten times slower on COPY data.
PLAIN_ENTRY = re.compile(rb"\n(-- (?:Data for )?Name: [^\n]*)")
PLAIN_MARKERS = (b"-- Name: ", b"-- Data for Name: ")
# Entry lines are hashed up to this length, whatever the chunking of the stream.
LINE_LIMIT = 4096
TAIL = 4096
_DBNAME = re.compile(rb"^;\s*dbname:\s*(.*?)\s*$")


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


class EntryDigest:
    """SHA-256 and count of a dump's table-of-contents entry lines."""

    def __init__(self):
        self._hash = hashlib.sha256()
        self.entries = 0

    def add(self, line):
        self._hash.update(line[:LINE_LIMIT] + b"\n")
        self.entries += 1

    def identity(self, dbname):
        return {"dump_dbname": dbname, "toc_entries": self.entries, "toc_digest": "sha256:" + self._hash.hexdigest()}


def identity_from_list(data):
    """Identity from ``pg_restore --list`` output: the entry lines (the ``;`` header with its timestamps is
    left out) and the database named in the header."""
    digest, dbname = EntryDigest(), None
    for line in data.splitlines():
        line = line.strip()
        if line.startswith(b";"):
            match = _DBNAME.match(line)
            if match and dbname is None:
                dbname = match.group(1).decode("utf-8", "replace")
        elif line:
            digest.add(line)
    return digest.identity(dbname)


class PlainScan:
    """Reads a plain script once: its entry comments (its table of contents) and whether it ends with
    pg_dump's completion line. Chunk boundaries do not change the result."""

    def __init__(self, gunzip):
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gunzip else None
        self._digest = EntryDigest()
        self._head = b""  # start of the unfinished last line, while it may be an entry line
        self._skip = False  # the unfinished last line is not an entry line
        self._tail = b""

    def feed(self, data):
        try:
            text = self._inflate.decompress(data) if self._inflate else data
        except zlib.error as exc:
            raise RunbookError("The compressed plain dump is damaged: %s" % exc)
        if text:
            self._tail = (self._tail + text[-TAIL:])[-TAIL:]
            self._scan(text)

    def _scan(self, text):
        start = 0
        if self._head or self._skip:
            newline = text.find(b"\n")
            if newline < 0:
                if not self._skip:
                    self._hold(self._head + text)
                return
            if not self._skip:
                self._line(self._head + text[:newline])
            self._head, self._skip, start = b"", False, newline + 1
        unfinished = max(text.rfind(b"\n") + 1, start)
        if start < unfinished:
            if text.startswith(PLAIN_MARKERS, start):
                self._digest.add(text[start:text.find(b"\n", start)])
            for match in PLAIN_ENTRY.finditer(text, start, unfinished):
                self._digest.add(match.group(1))
        if unfinished < len(text):
            self._hold(text[unfinished:])

    def _hold(self, fragment):
        if any(fragment[:len(marker)] == marker[:len(fragment)] for marker in PLAIN_MARKERS):
            self._head = fragment[:LINE_LIMIT]
        else:
            self._head, self._skip = b"", True

    def _line(self, line):
        if line.startswith(PLAIN_MARKERS):
            self._digest.add(line)

    def finish(self):
        """The identity found; raises when the script is truncated or damaged."""
        if self._inflate:
            try:
                rest = self._inflate.flush()
            except zlib.error as exc:
                raise RunbookError("The compressed plain dump is damaged: %s" % exc)
            if rest:
                self._tail = (self._tail + rest)[-TAIL:]
                self._scan(rest)
            if not self._inflate.eof:
                raise RunbookError("The compressed plain dump is truncated")
        if self._head:
            self._line(self._head)
        if load.DUMP_COMPLETE not in self._tail:
            raise RunbookError("The plain dump does not end with pg_dump's completion line: it is truncated")
        return self._digest.identity(None)


def _scan_plain(reader, gunzip):
    scan = PlainScan(gunzip)
    while True:
        data = reader.read(CHUNK)
        if not data:
            break
        scan.feed(data)
    return scan.finish()


def _feed(reader, children):
    """Streams ``reader`` into the stdin of every child; one that stops reading (``pg_restore --list`` once it
    has the TOC, or a program that failed) is let go, and reading stops when none is left."""
    live = list(children)
    try:
        while live:
            data = reader.read(CHUNK)
            if not data:
                break
            for child in list(live):
                try:
                    child.stdin.write(data)
                except (IOError, OSError) as exc:
                    if getattr(exc, "errno", None) != errno.EPIPE:
                        raise
                    live.remove(child)
    except BaseException:
        for child in children:
            child.kill()
        raise


def _lister(pg_restore, env, work, source=None, directory=False):
    """``pg_restore --list`` into a file (never a pipe: a long list would block it while it still reads)."""
    args = [pg_restore, "--list", "--file=%s" % os.path.join(work, "toc.list")]
    if directory:
        args.append("-Fd")
    if source:
        args.append(source)
    return Child(args, env, stdin=None if source else subprocess.PIPE, stdout=subprocess.DEVNULL)


def _listed(child, work):
    child.check("reading the table of contents")
    with open(os.path.join(work, "toc.list"), "rb") as handle:
        return identity_from_list(handle.read())


def read_archive(reader, fmt, gunzip, pg_restore, env):
    """Reads the whole archive as pg_restore would (to /dev/null): catches truncation and corruption,
    which ``pg_restore --list`` does not (it reads the table of contents only). Returns the identity read on
    the way: the table of contents and the database the dump names (none for plain scripts)."""
    if fmt == "plain":
        return _scan_plain(reader, gunzip)
    work = tempfile.mkdtemp(prefix="runbook-pgtoc-")
    try:
        if fmt == "custom":
            lister = _lister(pg_restore, env, work)
            full = Child([pg_restore, "--file=/dev/null"], env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
            try:
                _feed(reader, [lister, full])
                full.check("restoring")
                return _listed(lister, work)
            finally:
                lister.kill()
                full.kill()
        parent, dump_dir = load.extract_tar(reader)
        try:
            load.run([pg_restore, "-Fd", "--file=/dev/null", dump_dir], env)
            return _listed(_lister(pg_restore, env, work, dump_dir, directory=True), work)
        finally:
            shutil.rmtree(parent, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def read_identity(reader, fmt, gunzip, pg_restore, env):
    """The identity alone: a custom archive is read up to the end of its table of contents, a directory archive
    up to its ``toc.dat`` (the first member of the archives pg_backup writes), a plain script whole."""
    if fmt == "plain":
        return _scan_plain(reader, gunzip)
    work = tempfile.mkdtemp(prefix="runbook-pgtoc-")
    try:
        if fmt == "custom":
            lister = _lister(pg_restore, env, work)
            try:
                _feed(reader, [lister])
                return _listed(lister, work)
            finally:
                lister.kill()
        dump_dir = os.path.join(work, "dump")
        os.mkdir(dump_dir)
        if not _extract_toc(reader, os.path.join(dump_dir, "toc.dat")):
            raise RunbookError("The directory-format archive has no dump/toc.dat")
        return _listed(_lister(pg_restore, env, work, dump_dir, directory=True), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _extract_toc(reader, path):
    try:
        with tarfile.open(fileobj=reader, mode="r|") as archive:
            for member in archive:
                if os.path.normpath(member.name) == os.path.join("dump", "toc.dat") and member.isfile():
                    source = archive.extractfile(member)
                    with open(path, "wb") as handle:
                        shutil.copyfileobj(source, handle, CHUNK)
                    return True
    except (tarfile.TarError, EOFError) as exc:
        raise RunbookError("The directory-format archive is damaged: %s" % exc)
    return False


def check_identity(found, manifest, what, allow_other_database=False):
    """Compares the identity read from a dump with its manifest; raises on a mismatch. Returns what was
    compared: ``database`` (the name in the dump's header; plain scripts have none) and ``toc``
    (not recorded in manifests written before version 2)."""
    compared = {"database": False, "toc": False}
    dbname = found.get("dump_dbname")
    if dbname is not None:
        if dbname != manifest["database"] and not allow_other_database:
            raise RunbookError("%s is a dump of database %s, but its manifest says %s: refusing it (set "
                               "allow_other_database=true if that dump is really wanted)"
                               % (what, dbname, manifest["database"]), dump_database=dbname,
                               manifest_database=manifest["database"])
        compared["database"] = dbname == manifest["database"]
    recorded = manifest.get("identity") if isinstance(manifest.get("identity"), dict) else {}
    if recorded.get("toc_digest"):
        if (found["toc_digest"], found["toc_entries"]) != (recorded["toc_digest"], recorded.get("toc_entries")):
            raise RunbookError("%s does not match its manifest: its table of contents has %d entries (%s), the "
                               "manifest records %s entries (%s)"
                               % (what, found["toc_entries"], found["toc_digest"], recorded.get("toc_entries"),
                                  recorded["toc_digest"]),
                               toc_found=found, toc_recorded=recorded)
        compared["toc"] = True
    return compared


def check_source(storage, key, manifest, params, env, etag=None):
    """What pg_restore proves about a backup before touching the target, beyond its checksum: the manifest's
    HMAC (with ``manifest_hmac_key``) and the dump's identity. Returns ``{authenticated, identity}``."""
    what = storage.uri(key)
    authenticated = manifests.authenticate(manifest, params.get("manifest_hmac_key"),
                                           params.get("allow_unsigned_manifest", False),
                                           storage.uri(keys.manifest_key(key)))
    fmt = manifest["format"]
    pg_restore = None if fmt == "plain" else client.locate("pg_restore", params.get("bin_dir"))
    reader = storage.open_reader(key, etag=etag) if etag else storage.open_reader(key)
    try:
        found = read_identity(reader, fmt, key.endswith(".gz"), pg_restore, env)
    finally:
        reader.close()
    compared = check_identity(found, manifest, what, params.get("allow_other_database", False))
    return {"authenticated": authenticated, "identity": compared}


def compare_counts(source, restored):
    """Tables whose row counts differ, as {table: {source, restored}}."""
    return dict((table, {"source": source.get(table), "restored": restored.get(table)})
                for table in sorted(set(source) | set(restored)) if source.get(table) != restored.get(table))


def check_row_counts(manifest, restored, database):
    """Compares the tables recorded in the manifest with a restored database (tables it does not record, which
    a restore into an existing database may keep, are not compared). Returns whether counts were recorded."""
    recorded = manifest.get("row_counts")
    if not isinstance(recorded, dict):
        return False
    differences = compare_counts(recorded, dict((table, restored.get(table)) for table in recorded))
    if differences:
        raise RunbookError("The restored database %s has other row counts than the backup's snapshot recorded "
                           "in its manifest: %s" % (database, ", ".join(
                               "%s %s, expected %s" % (table, diff["restored"], diff["source"])
                               for table, diff in sorted(differences.items())[:10])),
                           row_count_differences=differences)
    return True


def restore_into_scratch(conn, maintenance_db, scratch, restore, expected_counts):
    """Creates ``scratch``, runs ``restore(scratch)``, compares row counts, always drops it again."""
    with conn.connected(maintenance_db) as admin:
        connection.drop_database(admin, scratch)
        connection.create_database(admin, scratch)
        try:
            restore(scratch)
            with conn.connected(scratch) as restored_conn:
                restored = connection.row_counts(restored_conn)
        finally:
            connection.drop_database(admin, scratch)
    differences = compare_counts(expected_counts, restored)
    if differences:
        raise RunbookError("The restored scratch database %s has other row counts than the source" % scratch,
                           row_count_differences=differences)
    return restored


def prove(storage, key, manifest, method, pg_restore=None, env=None):
    """Re-checks a stored backup: ``checksum`` compares SHA-256 and size with its manifest, ``archive`` also
    reads the whole archive through pg_restore first and compares its identity (table of contents, database
    named in the dump) with the manifest's. Returns ``{method, passed, error}`` (``identity`` for archive)."""
    stored = storage.open_reader(key)
    reader = HashingReader(stored)
    compared = None
    try:
        if method == "archive":
            found = read_archive(reader, manifest["format"], key.endswith(".gz"), pg_restore, env)
        check_stored(reader, manifest["checksum"], manifest["size"], storage.uri(key))
        if method == "archive":
            compared = check_identity(found, manifest, storage.uri(key))
    except RunbookError as exc:
        return {"method": method, "passed": False, "error": exc.msg}
    finally:
        stored.close()
    result = {"method": method, "passed": True, "error": None}
    if compared is not None:
        result["identity"] = compared
    return result
