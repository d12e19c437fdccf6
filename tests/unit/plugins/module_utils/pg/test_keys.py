# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timezone

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.pg import keys

WHEN = datetime(2026, 3, 7, 4, 5, 6, 789000, tzinfo=timezone.utc)


@pytest.mark.parametrize("prefix, database, ext, expected", [
    ("", "app", "dump", "2026/03/07/app_20260307T040506789Z.dump"),
    ("postgres", "app", "dump", "postgres/2026/03/07/app_20260307T040506789Z.dump"),
    ("/postgres/", "my_db", "sql.gz", "postgres/2026/03/07/my_db_20260307T040506789Z.sql.gz"),
    ("a/b", "app", "tar", "a/b/2026/03/07/app_20260307T040506789Z.tar"),
])
def test_artifact_key(prefix, database, ext, expected):
    assert keys.artifact_key(prefix, database, WHEN, ext) == expected


@pytest.mark.parametrize("key, database, ext", [
    ("2026/03/07/app_20260307T040506789Z.dump", "app", "dump"),
    ("x/2026/03/07/my_db_2_20260307T040506789Z.sql.gz", "my_db_2", "sql.gz"),
    ("2026/03/07/app_20260307T040506789Z.tar", "app", "tar"),
])
def test_parse_round_trip(key, database, ext):
    parsed = keys.parse(key)
    assert parsed == {"database": database, "started": WHEN, "ext": ext}


@pytest.mark.parametrize("key", [
    "2026/03/07/app_20260307T040506789Z.dump.manifest.json",
    "2026/03/08/app_20260307T040506789Z.dump",
    "app_20260307T040506789Z.dump",
    "2026/03/07/app_20260307T040506Z.dump",
    "2026/03/07/app_20260307T040506789Z.zip",
    "notes.txt",
])
def test_parse_rejects_foreign_keys(key):
    assert keys.parse(key) is None


@pytest.mark.parametrize("fmt, compressed, expected", [
    ("custom", False, "dump"), ("custom", True, "dump"), ("plain", False, "sql"),
    ("plain", True, "sql.gz"), ("directory", True, "tar"),
])
def test_extension(fmt, compressed, expected):
    assert keys.extension(fmt, compressed) == expected


def test_manifest_key_is_recognised():
    key = keys.manifest_key("2026/03/07/app_20260307T040506789Z.dump")
    assert key.endswith(".dump.manifest.json") and keys.is_manifest(key)
