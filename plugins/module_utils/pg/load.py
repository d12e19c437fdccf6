# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Feeds a stored backup to pg_restore (custom, directory) or psql (plain)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import shutil
import subprocess
import tarfile
import tempfile
import zlib

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import client
from ansible_collections.runbook.ops.plugins.module_utils.pg.client import Child
from ansible_collections.runbook.ops.plugins.module_utils.pg.streams import CHUNK

DUMP_COMPLETE = b"-- PostgreSQL database dump complete"


def restore_argv(pg_restore, database, clean, jobs=1, no_owner=False, no_privileges=False, archive_path=None,
                 single_transaction=False):
    args = [pg_restore, "--no-password", "--exit-on-error", "--dbname=%s" % database]
    if single_transaction:
        args.append("--single-transaction")
    if clean:
        args.extend(["--clean", "--if-exists"])
    if no_owner:
        args.append("--no-owner")
    if no_privileges:
        args.append("--no-privileges")
    if jobs > 1:
        args.append("--jobs=%d" % jobs)
    if archive_path:
        args.append(archive_path)
    return args


def psql_argv(psql, database):
    return [psql, "--no-password", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
            "--dbname=%s" % database, "--file=-", "--output=/dev/null"]


def feed(reader, args, env, gunzip=False, what="restoring"):
    """Streams ``reader`` into the stdin of the program of ``args`` and waits for it."""
    child = Child(args, env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gunzip else None
    try:
        while True:
            data = reader.read(CHUNK)
            if not data:
                break
            child.stdin.write(inflate.decompress(data) if inflate else data)
        if inflate:
            child.stdin.write(inflate.flush())
    except (IOError, OSError) as exc:
        # The program stopped reading: its exit status and stderr say why.
        if getattr(exc, "errno", None) != errno.EPIPE:
            child.kill()
            raise
    except BaseException:
        child.kill()
        raise
    return child.check(what)


def run(args, env, what="restoring"):
    return Child(args, env, stdout=subprocess.DEVNULL).check(what)


def extract_tar(reader):
    """Unpacks a streamed directory-format archive into a temporary directory; returns (parent, dump dir)."""
    parent = tempfile.mkdtemp(prefix="runbook-pgrestore-")
    try:
        with tarfile.open(fileobj=reader, mode="r|") as archive:
            for member in archive:
                if not _safe_member(member):
                    raise RunbookError("Archive member %r is outside the dump directory" % member.name)
                archive.extract(member, parent)
    except (tarfile.TarError, EOFError) as exc:
        shutil.rmtree(parent, ignore_errors=True)
        raise RunbookError("The directory-format archive is damaged: %s" % exc)
    except BaseException:
        shutil.rmtree(parent, ignore_errors=True)
        raise
    return parent, os.path.join(parent, "dump")


def _safe_member(member):
    name = os.path.normpath(member.name)
    return (name == "dump" or name.startswith("dump" + os.sep)) and (member.isfile() or member.isdir())


def scan_plain(reader, gunzip):
    """A plain script is whole when it ends with pg_dump's completion comment."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gunzip else None
    tail = b""
    try:
        while True:
            data = reader.read(CHUNK)
            if not data:
                break
            tail = (tail + (inflate.decompress(data) if inflate else data))[-4096:]
        if inflate:
            tail = (tail + inflate.flush())[-4096:]
            if not inflate.eof:
                raise RunbookError("The compressed plain dump is truncated")
    except zlib.error as exc:
        raise RunbookError("The compressed plain dump is damaged: %s" % exc)
    if DUMP_COMPLETE not in tail:
        raise RunbookError("The plain dump does not end with pg_dump's completion line: it is truncated")


def restorer(conn, bin_dir, reader, fmt, gunzip, clean, jobs=1, no_owner=False, no_privileges=False,
             archive_path=None, single_transaction=False):
    """A function restoring the backup (streamed from ``reader``, or the seekable ``archive_path``)
    into the database it is given, with psql for plain scripts and pg_restore otherwise. psql always runs
    the script as one transaction; ``single_transaction`` makes pg_restore do so too (then ``jobs`` is 1)."""
    options = dict(no_owner=no_owner, no_privileges=no_privileges, single_transaction=single_transaction)

    def restore(database):
        env = conn.child_env(database)
        if fmt == "plain":
            feed(reader, psql_argv(client.locate("psql", bin_dir), database), env, gunzip)
            return
        pg_restore = client.locate("pg_restore", bin_dir)
        if fmt == "custom":
            if archive_path:
                run(restore_argv(pg_restore, database, clean, jobs, archive_path=archive_path, **options), env)
            else:
                feed(reader, restore_argv(pg_restore, database, clean, 1, **options), env)
            return
        parent, dump_dir = extract_tar(reader)
        try:
            run(restore_argv(pg_restore, database, clean, jobs, archive_path=dump_dir, **options), env)
        finally:
            shutil.rmtree(parent, ignore_errors=True)
    return restore
