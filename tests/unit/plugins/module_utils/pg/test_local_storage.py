# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import local_storage, streams


def test_local_storage_round_trip(tmp_path):
    store = local_storage.LocalStorage(str(tmp_path / "backups"))
    writer = store.open_writer("2026/01/02/a.dump")
    writer.write(b"x" * 10)
    writer.commit()
    store.put_bytes("2026/01/02/a.dump.manifest.json", b"{}")
    assert sorted(item["key"] for item in store.list()) == ["2026/01/02/a.dump", "2026/01/02/a.dump.manifest.json"]
    assert store.read_bytes("2026/01/02/a.dump") == b"x" * 10
    assert store.key_of(store.uri("2026/01/02/a.dump")) == "2026/01/02/a.dump"


def test_local_writer_abort_removes_the_file(tmp_path):
    store = local_storage.LocalStorage(str(tmp_path))
    writer = store.open_writer("2026/01/02/a.dump")
    writer.write(b"partial")
    writer.abort()
    assert store.list() == []


def test_local_storage_needs_an_absolute_path():
    with pytest.raises(InputError):
        local_storage.LocalStorage("relative/dir")


def test_a_destination_below_a_regular_file_fails_the_check(tmp_path):
    (tmp_path / "file").write_bytes(b"x")
    store = local_storage.LocalStorage(str(tmp_path / "file" / "backups"))
    with pytest.raises(RunbookError) as raised:
        store.check(writable=True)
    assert raised.value.msg == ("Destination %s cannot be a directory: %s is a regular file, not a directory (ENOTDIR)"
                                % (tmp_path / "file" / "backups", tmp_path / "file"))
    assert raised.value.details["errno"] == "ENOTDIR"


def test_a_missing_destination_under_a_directory_passes_the_check(tmp_path):
    local_storage.LocalStorage(str(tmp_path / "new" / "backups")).check(writable=True)


def full_disk(monkeypatch):
    """Every file the storage opens for writing is /dev/full: writes fail with ENOSPC, as on a full disk."""
    real_open = open

    def fake_open(path, mode="r", *args, **kwargs):
        if "w" in mode:
            real_open(path, mode).close()
            return real_open("/dev/full", mode, *args, **kwargs)
        return real_open(path, mode, *args, **kwargs)
    monkeypatch.setattr(local_storage, "open", fake_open, raising=False)


def test_a_full_disk_mid_stream_names_the_file_and_the_cause_and_abort_leaves_nothing(tmp_path, monkeypatch):
    full_disk(monkeypatch)
    store = local_storage.LocalStorage(str(tmp_path))
    writer = store.open_writer("2026/01/02/a.dump")
    with pytest.raises(RunbookError) as raised:
        for _index in range(4):
            writer.write(b"x" * streams.CHUNK)
        writer.commit()
    path = store.uri("2026/01/02/a.dump")
    assert raised.value.msg.startswith("Cannot write %s: No space left on device (ENOSPC); the file system is full"
                                       % path)
    writer.abort(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_at_the_manifest_leaves_no_partial_file(tmp_path, monkeypatch):
    full_disk(monkeypatch)
    store = local_storage.LocalStorage(str(tmp_path))
    with pytest.raises(RunbookError) as raised:
        store.put_bytes("2026/01/02/a.dump.manifest.json", b"{}")
    assert "(ENOSPC)" in raised.value.msg and store.uri("2026/01/02/a.dump.manifest.json") in raised.value.msg
    assert store.list() == []


WRITE_PAST_THE_LIMIT = """
import json, resource, sys
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import local_storage
resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
store = local_storage.LocalStorage(sys.argv[1])
writer = store.open_writer("2026/01/02/a.dump")
try:
    writer.write(b"x" * 200000)
    writer.commit()
except RunbookError as exc:
    writer.abort(exc)
    print(json.dumps({"msg": exc.msg, "left": store.list()}))
"""


def test_a_file_size_limit_fails_with_efbig_and_leaves_nothing(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    output = subprocess.check_output([sys.executable, "-c", WRITE_PAST_THE_LIMIT, str(tmp_path)], env=env)
    outcome = json.loads(output)
    assert outcome["left"] == []
    assert outcome["msg"].startswith("Cannot write %s: File too large (EFBIG); the file exceeds the file size limit"
                                     % os.path.join(str(tmp_path), "2026", "01", "02", "a.dump"))
