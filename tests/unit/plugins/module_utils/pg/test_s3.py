# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import zlib

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.pg import s3

PART = 5 * 1024 * 1024


class RecordingClient:
    """Answers like S3: a part's ETag, and its CRC32 when the request named that algorithm."""

    def __init__(self):
        self.calls = []

    def create_multipart_upload(self, **args):
        self.calls.append(("create", args))
        return {"UploadId": "u-1"}

    def upload_part(self, **args):
        self.calls.append(("part", dict(args, Body=bytes(args["Body"]))))  # the sink reuses its buffers
        response = {"ETag": '"etag-%d"' % args["PartNumber"]}
        if args.get("ChecksumAlgorithm") == "CRC32":
            response["ChecksumCRC32"] = "crc-%08x" % zlib.crc32(bytes(args["Body"]))
        return response

    def complete_multipart_upload(self, **args):
        self.calls.append(("complete", args))

    def put_object(self, **args):
        self.calls.append(("put", args))

    def of(self, kind):
        return [args for name, args in self.calls if name == kind]


def upload(checksum_compat, size):
    client = RecordingClient()
    storage = s3.S3Storage("s3://bucket/prefix/", client, min_part_size=PART, checksum_compat=checksum_compat)
    writer = storage.open_writer("db.dump", 0)
    writer.write(b"x" * size)
    writer.commit()
    return client


def test_a_multipart_upload_declares_crc32_and_completes_with_each_parts_checksum():
    client = upload(checksum_compat=False, size=2 * PART + 7)
    assert client.of("create")[0]["ChecksumAlgorithm"] == "CRC32"
    assert [args["ChecksumAlgorithm"] for args in client.of("part")] == ["CRC32"] * 3
    parts = client.of("complete")[0]["MultipartUpload"]["Parts"]
    assert [part["PartNumber"] for part in parts] == [1, 2, 3]
    expected = {args["PartNumber"]: "crc-%08x" % zlib.crc32(bytes(args["Body"])) for args in client.of("part")}
    assert all(part["ChecksumCRC32"] == expected[part["PartNumber"]] for part in parts)


def test_checksum_compat_sends_no_checksum_fields():
    client = upload(checksum_compat=True, size=2 * PART + 7)
    assert "ChecksumAlgorithm" not in client.of("create")[0]
    assert not [args for args in client.of("part") if "ChecksumAlgorithm" in args]
    assert all(set(part) == {"PartNumber", "ETag"} for part in client.of("complete")[0]["MultipartUpload"]["Parts"])


@pytest.mark.parametrize("checksum_compat", [False, True])
def test_a_stream_smaller_than_a_part_is_one_put(checksum_compat):
    client = upload(checksum_compat=checksum_compat, size=100)
    assert [name for name, _args in client.calls] == ["put"]
