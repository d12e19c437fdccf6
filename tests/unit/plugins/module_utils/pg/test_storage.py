# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.pg import storage

MIB = 1024 * 1024
GIB = 1024 * MIB


@pytest.mark.parametrize("expected_size, minimum, size", [
    (0, storage.MIN_PART_SIZE, 8 * MIB),
    (1 * GIB, storage.MIN_PART_SIZE, 8 * MIB),
    (70 * GIB, storage.MIN_PART_SIZE, 8 * MIB),
    (100 * GIB, storage.MIN_PART_SIZE, 11930465),
    (1024 * GIB, storage.MIN_PART_SIZE, 122167959),
    (1 * MIB, 262144, 262144),
    (9000 * 262144 + 1, 262144, 262145),
])
def test_part_size(expected_size, minimum, size):
    assert storage.part_size(expected_size, minimum) == size


@pytest.mark.parametrize("expected_size", [0, 10 * GIB, 5 * 1024 * GIB])
def test_part_size_fits_in_s3_parts(expected_size):
    assert storage.part_size(expected_size) * 9000 >= expected_size


@pytest.mark.parametrize("uri, bucket, prefix", [
    ("s3://b/", "b", ""), ("s3://b", "b", ""), ("s3://b/p/q/", "b", "p/q"), ("s3://b/p", "b", "p"),
])
def test_split_s3_uri(uri, bucket, prefix):
    assert storage.split_s3_uri(uri) == (bucket, prefix)


def test_split_s3_uri_needs_a_bucket():
    with pytest.raises(InputError):
        storage.split_s3_uri("s3:///prefix")


class FakeSink:
    def __init__(self):
        self.data = b""
        self.state = "open"

    def write(self, data):
        self.data += data

    def commit(self):
        self.state = "committed"

    def abort(self):
        self.state = "aborted"


def test_hashing_writer_counts_and_hashes():
    sink = FakeSink()
    writer = storage.HashingWriter(sink)
    writer.write(b"abc")
    writer.write(b"")
    assert writer.commit() == {
        "size": 3, "checksum": "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}
    assert sink.state == "committed" and sink.data == b"abc"


def test_local_storage_round_trip(tmp_path):
    store = storage.LocalStorage(str(tmp_path / "backups"))
    writer = store.open_writer("2026/01/02/a.dump")
    writer.write(b"x" * 10)
    writer.commit()
    store.put_bytes("2026/01/02/a.dump.manifest.json", b"{}")
    assert sorted(item["key"] for item in store.list()) == ["2026/01/02/a.dump", "2026/01/02/a.dump.manifest.json"]
    assert store.read_bytes("2026/01/02/a.dump") == b"x" * 10
    assert store.key_of(store.uri("2026/01/02/a.dump")) == "2026/01/02/a.dump"


def test_local_writer_abort_removes_the_file(tmp_path):
    store = storage.LocalStorage(str(tmp_path))
    writer = store.open_writer("2026/01/02/a.dump")
    writer.write(b"partial")
    writer.abort()
    assert store.list() == []


def test_local_storage_needs_an_absolute_path():
    with pytest.raises(InputError):
        storage.LocalStorage("relative/dir")


def test_copy_stream_hands_on_every_byte_through_its_reused_buffer():
    payload = bytes(range(256)) * 4099  # not a multiple of the chunk
    sink = FakeSink()
    storage.copy_stream(io.BytesIO(payload), storage.HashingWriter(sink), chunk=65536)
    assert sink.data == payload
