# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key layout of backups: `prefix/YYYY/MM/DD/<db>_<UTC timestamp>.<ext>`, manifest next to it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from datetime import datetime, timezone

MANIFEST_SUFFIX = ".manifest.json"
EXTENSIONS = {"custom": "dump", "plain": "sql", "directory": "tar"}
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%S"
_ARTIFACT = re.compile(
    r"^(?:.*/)?(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<db>.+)_(?P<ts>\d{8}T\d{6})(?P<ms>\d{3})Z\.(?P<ext>dump|sql|sql\.gz|tar)$"
)


def extension(fmt, compressed=False):
    """File extension of an artifact; a compressed plain dump is gzip."""
    ext = EXTENSIONS[fmt]
    return ext + ".gz" if fmt == "plain" and compressed else ext


def artifact_key(prefix, database, when, ext):
    """Key of a new backup of ``database`` started at the UTC datetime ``when``."""
    stamp = when.strftime(TIMESTAMP_FORMAT) + "%03dZ" % (when.microsecond // 1000)
    name = "%s/%s_%s.%s" % (when.strftime("%Y/%m/%d"), database, stamp, ext)
    return join(prefix, name)


def manifest_key(key):
    return key + MANIFEST_SUFFIX


def is_manifest(key):
    return key.endswith(MANIFEST_SUFFIX)


def join(prefix, name):
    prefix = (prefix or "").strip("/")
    return "%s/%s" % (prefix, name) if prefix else name


def parse(key):
    """``{database, started, ext}`` of an artifact key, or None when the key is not one of ours."""
    match = _ARTIFACT.match(key)
    if not match:
        return None
    started = datetime.strptime(match.group("ts"), TIMESTAMP_FORMAT).replace(
        microsecond=int(match.group("ms")) * 1000, tzinfo=timezone.utc)
    if started.strftime("%Y%m%d") != match.group("y") + match.group("m") + match.group("d"):
        return None
    return {"database": match.group("db"), "started": started, "ext": match.group("ext")}
