# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.pg import dump


@pytest.mark.parametrize("value, major, arg, described", [
    (None, 15, None, "default"),
    ("", 15, None, "default"),
    ("1", 15, "-Z1", "gzip:1"),
    ("gzip", 15, "-Z6", "gzip:default"),
    ("gzip:9", 15, "-Z9", "gzip:9"),
    ("none", 15, "-Z0", "none:default"),
    ("zstd:3", 16, "--compress=zstd:3", "zstd:3"),
    ("lz4", 17, "--compress=lz4", "lz4:default"),
])
def test_parse_compression(value, major, arg, described):
    assert dump.parse_compression(value, major) == (arg, described)


@pytest.mark.parametrize("value, major", [("zstd", 15), ("lz4:1", 14), ("fast", 16), ("10", 16), ("gzip:", 16)])
def test_parse_compression_rejects(value, major):
    with pytest.raises(InputError) as info:
        dump.parse_compression(value, major)
    assert "compression" in info.value.msg


@pytest.mark.parametrize("fmt, expected", [
    ("custom", ["pg_dump", "-Fc", "--no-password", "-Z1", "--snapshot=S"]),
    ("plain", ["pg_dump", "-Fp", "--no-password", "-Z1", "--snapshot=S", "--clean", "--if-exists"]),
    ("directory", ["pg_dump", "-Fd", "--no-password", "-Z1", "--snapshot=S", "--jobs=3", "--file=/t/dump"]),
])
def test_argv(fmt, expected):
    assert dump.argv("pg_dump", fmt, "-Z1", 3, "S", "/t/dump") == expected
