# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import client


def fake_program(tmp_path, output):
    path = tmp_path / "pg_dump"
    path.write_text("#!/bin/sh\necho '%s'\n" % output)
    os.chmod(str(path), 0o755)
    return str(path)


@pytest.mark.parametrize("output, major, text", [
    ("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", 15, "15.18 (Debian 15.18-0+deb12u1)"),
    ("pg_dump (PostgreSQL) 16.4", 16, "16.4"),
    ("pg_restore (PostgreSQL) 17beta2", 17, "17beta2"),
    ("pg_dump (PostgreSQL) 9.6.24", 9, "9.6.24"),
])
def test_version(tmp_path, output, major, text):
    assert client.version(fake_program(tmp_path, output)) == (major, text)


def test_version_refuses_other_output(tmp_path):
    with pytest.raises(RunbookError):
        client.version(fake_program(tmp_path, "something else 1.0"))


@pytest.mark.parametrize("client_major, server_major, refused", [(15, 15, False), (16, 15, False), (14, 15, True)])
def test_require_not_older(client_major, server_major, refused):
    if refused:
        with pytest.raises(RunbookError) as info:
            client.require_not_older("/usr/bin/pg_dump", client_major, server_major)
        assert "older than the server" in info.value.msg and "bin_dir" in info.value.msg
    else:
        client.require_not_older("/usr/bin/pg_dump", client_major, server_major)


def test_locate_in_bin_dir(tmp_path):
    path = fake_program(tmp_path, "x")
    assert client.locate("pg_dump", str(tmp_path)) == path
    with pytest.raises(RunbookError) as info:
        client.locate("pg_restore", str(tmp_path))
    assert "bin_dir" in info.value.msg
