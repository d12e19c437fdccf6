# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs pg_dump and streams its output into a storage writer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import subprocess
import tarfile
import tempfile

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.pg.client import Child
from ansible_collections.runbook.ops.plugins.module_utils.pg.streams import copy_stream

_COMPRESSION = re.compile(r"^(?:(?P<method>gzip|lz4|zstd|none)(?::(?P<level>\d+))?|(?P<bare>\d))$")
FORMAT_FLAGS = {"custom": "-Fc", "plain": "-Fp", "directory": "-Fd"}


def parse_compression(value, client_major):
    """(pg_dump argument or None, manifest description); lz4 and zstd need pg_dump 16 or later."""
    if value in (None, ""):
        return None, "default"
    match = _COMPRESSION.match(str(value))
    if not match:
        raise InputError("compression", value, "use a level 0-9, or gzip, lz4, zstd or none with an optional :level")
    if match.group("bare") is not None:
        return "-Z%s" % match.group("bare"), "gzip:%s" % match.group("bare")
    method, level = match.group("method"), match.group("level")
    if method in ("lz4", "zstd") and client_major < 16:
        raise InputError("compression", value, "pg_dump %d supports gzip levels only; lz4 and zstd need pg_dump 16 "
                                               "or later (set bin_dir)" % client_major)
    if client_major < 16:
        return "-Z%s" % ("0" if method == "none" else (level or "6")), "%s:%s" % (method, level or "default")
    return "--compress=%s" % (method + (":" + level if level else "")), "%s:%s" % (method, level or "default")


def is_compressed(compression_arg):
    return compression_arg is not None and compression_arg not in ("-Z0", "--compress=none")


def argv(pg_dump, fmt, compression_arg, jobs, snapshot, output_dir=None):
    args = [pg_dump, FORMAT_FLAGS[fmt], "--no-password"]
    if compression_arg:
        args.append(compression_arg)
    if snapshot:
        args.append("--snapshot=%s" % snapshot)
    if fmt == "plain":
        # A plain script cannot be told to clean at restore time, so it carries DROP ... IF EXISTS itself.
        args.extend(["--clean", "--if-exists"])
    if fmt == "directory":
        args.extend(["--jobs=%d" % jobs, "--file=%s" % output_dir])
    return args


def stream(args, env, writer, fmt):
    """Dumps into ``writer``: custom and plain straight from stdout; directory via a temporary dir, then tar."""
    if fmt == "directory":
        _dump_directory(args, env, writer)
        return
    child = Child(args, env, stdout=subprocess.PIPE)
    try:
        copy_stream(child.stdout, writer)
    except BaseException:
        child.kill()
        raise
    child.check("dumping")


def _dump_directory(args, env, writer):
    output_dir = [arg for arg in args if arg.startswith("--file=")][0][len("--file="):]
    try:
        Child(args, env).check("dumping")
        with tarfile.open(fileobj=writer, mode="w|") as archive:
            archive.add(output_dir, arcname="dump", recursive=False)
            # toc.dat first: the table of contents is then read without reading the data behind it.
            for name in sorted(os.listdir(output_dir), key=lambda name: (name != "toc.dat", name)):
                archive.add(os.path.join(output_dir, name), arcname="dump/" + name)
    finally:
        shutil.rmtree(os.path.dirname(output_dir), ignore_errors=True)


def scratch_dir():
    """A temporary parent for a directory-format dump (pg_dump wants to create the directory itself)."""
    return os.path.join(tempfile.mkdtemp(prefix="runbook-pgdump-"), "dump")
