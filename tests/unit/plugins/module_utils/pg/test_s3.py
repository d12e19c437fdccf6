# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import zlib

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import s3

MIB = 1024 * 1024
GIB = 1024 * MIB
PART = 5 * 1024 * 1024


@pytest.mark.parametrize("expected_size, minimum, size", [
    (0, s3.MIN_PART_SIZE, 8 * MIB),
    (1 * GIB, s3.MIN_PART_SIZE, 8 * MIB),
    (70 * GIB, s3.MIN_PART_SIZE, 8 * MIB),
    (100 * GIB, s3.MIN_PART_SIZE, 11930465),
    (1024 * GIB, s3.MIN_PART_SIZE, 122167959),
    (1 * MIB, 262144, 262144),
    (9000 * 262144 + 1, 262144, 262145),
])
def test_part_size(expected_size, minimum, size):
    assert s3.part_size(expected_size, minimum) == size


@pytest.mark.parametrize("expected_size", [0, 10 * GIB, 5 * 1024 * GIB])
def test_part_size_fits_in_s3_parts(expected_size):
    assert s3.part_size(expected_size) * 9000 >= expected_size


@pytest.mark.parametrize("uri, bucket, prefix", [
    ("s3://b/", "b", ""), ("s3://b", "b", ""), ("s3://b/p/q/", "b", "p/q"), ("s3://b/p", "b", "p"),
])
def test_split_s3_uri(uri, bucket, prefix):
    assert s3.split_s3_uri(uri) == (bucket, prefix)


def test_split_s3_uri_needs_a_bucket():
    with pytest.raises(InputError):
        s3.split_s3_uri("s3:///prefix")


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


def client_error(code, status, operation="HeadBucket", message=None):
    """botocore's ClientError, or the module's stand-in where boto3 is not installed."""
    error = {"Code": code}
    if message:
        error["Message"] = message
    response = {"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}
    exc = s3.ClientError(response, operation)
    exc.response = response
    return exc


class NoCredentialsError(s3.BotoCoreError):
    fmt = "Unable to locate credentials"


class EndpointConnectionError(s3.BotoCoreError):
    fmt = "Could not connect to the endpoint URL"


@pytest.mark.parametrize("code, status, key, cause", [
    ("InvalidAccessKeyId", 403, None, "access key is not known"),
    ("SignatureDoesNotMatch", 403, None, "secret key does not belong to the access key"),
    ("AccessDenied", 403, "p/db.dump", "policy"),
    ("403", 403, None, "credentials are wrong"),
    ("SomethingNew", 403, None, "credentials are wrong"),
    ("NoSuchBucket", 404, "p/db.dump", "bucket b does not exist"),
    ("404", 404, None, "bucket b does not exist"),
    ("404", 404, "p/db.dump", "object does not exist"),
    ("NoSuchUpload", 404, "p/db.dump", "completed or aborted by someone else"),
    ("EntityTooSmall", 400, "p/db.dump", "raise part_size"),
    ("RequestTimeTooSkewed", 403, None, "clock"),
    ("SlowDown", 503, None, "throttling"),
    ("Weird", 500, None, "see the store's message"),
])
def test_s3_error_names_bucket_operation_status_code_and_cause(code, status, key, cause):
    error = s3.s3_error(client_error(code, status, message="said the store"), "head_bucket", "b", key)
    assert "S3 head_bucket on %s failed" % ("s3://b/" + key if key else "bucket b") in error.msg
    assert "HTTP %d" % status in error.msg
    assert ("HTTP %d %s" % (status, code) in error.msg) == (code != str(status))
    assert "said the store" in error.msg
    assert "likely cause: " in error.msg and cause in error.msg
    assert error.details["s3_error_code"] == code and error.details["s3_http_status"] == status
    assert error.details["s3_bucket"] == "b" and error.details["s3_operation"] == "head_bucket"


@pytest.mark.parametrize("exc, cause", [
    (NoCredentialsError(), "no credentials were found"),
    (EndpointConnectionError(), "cannot be reached"),
])
def test_s3_error_of_a_transport_failure(exc, cause):
    error = s3.s3_error(exc, "head_bucket", "b")
    assert error.msg.startswith("S3 head_bucket on bucket b failed: ") and cause in error.msg


class RefusingClient:
    """A HEAD refused without a code (as S3 answers HEAD requests), a listing that names it."""

    def __init__(self, listing_error):
        self.listing_error = listing_error

    def head_bucket(self, **args):
        raise client_error("403", 403, message="Forbidden")

    def list_objects_v2(self, **args):
        if self.listing_error:
            raise self.listing_error
        return {}


def test_a_refused_head_bucket_is_explained_by_a_listing():
    storage = s3.S3Storage("s3://b/p/", RefusingClient(client_error("InvalidAccessKeyId", 403, "ListObjectsV2")))
    with pytest.raises(RunbookError) as raised:
        storage.check(writable=True)
    assert "S3 head_bucket on bucket b failed: HTTP 403 InvalidAccessKeyId" in raised.value.msg
    assert "access key is not known" in raised.value.msg


def test_a_refused_head_bucket_without_a_listing_error_says_403():
    storage = s3.S3Storage("s3://b/p/", RefusingClient(None))
    with pytest.raises(RunbookError) as raised:
        storage.check(writable=True)
    assert "HTTP 403 (Forbidden); likely cause: access was refused" in raised.value.msg


class FailingClient(RecordingClient):
    """The second part fails; optionally the abort fails too."""

    def __init__(self, abort_fails):
        super(FailingClient, self).__init__()
        self.abort_fails = abort_fails

    def upload_part(self, **args):
        if args["PartNumber"] == 2:
            raise client_error("InternalError", 500, "UploadPart", "part went missing")
        return super(FailingClient, self).upload_part(**args)

    def abort_multipart_upload(self, **args):
        self.calls.append(("abort", args))
        if self.abort_fails:
            raise client_error("AccessDenied", 403, "AbortMultipartUpload", "no abort for you")


def failed_upload(abort_fails):
    client = FailingClient(abort_fails)
    storage = s3.S3Storage("s3://bucket/prefix/", client, min_part_size=PART)
    writer = storage.open_writer("db.dump", 0)
    try:
        writer.write(b"x" * (3 * PART))
        writer.commit()
    except RunbookError as exc:
        try:
            writer.abort(exc)
        except RunbookError as abort_exc:
            return client, exc, abort_exc
        return client, exc, None
    raise AssertionError("the upload did not fail")


def test_a_failed_upload_is_aborted():
    client, exc, abort_exc = failed_upload(abort_fails=False)
    assert abort_exc is None
    assert client.of("abort") == [{"Bucket": "bucket", "Key": "prefix/db.dump", "UploadId": "u-1"}]
    assert "upload_part (part 2) on s3://bucket/prefix/db.dump failed: HTTP 500 InternalError" in exc.msg


def test_a_failed_abort_reports_both_errors_and_the_upload_id():
    client, exc, abort_exc = failed_upload(abort_fails=True)
    assert len(client.of("abort")) == 1
    assert "part went missing" in abort_exc.msg and "upload_part (part 2)" in abort_exc.msg
    assert "abort_multipart_upload on s3://bucket/prefix/db.dump failed: HTTP 403 AccessDenied" in abort_exc.msg
    assert "no abort for you" in abort_exc.msg
    assert "upload u-1" in abort_exc.msg and "--upload-id u-1" in abort_exc.msg
    assert abort_exc.details["upload_id"] == "u-1"
    assert abort_exc.details["upload_error"] == exc.msg


class UploadsClient:
    """list_multipart_uploads in two pages, as a paginator sees them."""

    def __init__(self):
        self.asked = []

    def get_paginator(self, name):
        assert name == "list_multipart_uploads"
        client = self

        class Paginator:
            def paginate(self, **args):
                client.asked.append(args)
                yield {"Uploads": [{"Key": "p/a.dump", "UploadId": "1", "Initiated": "t1"}], "IsTruncated": True}
                yield {"Uploads": [{"Key": "p/b.dump", "UploadId": "2", "Initiated": "t2"}]}
        return Paginator()


def test_incomplete_uploads_reads_every_page_under_the_prefix():
    client = UploadsClient()
    found = s3.S3Storage("s3://b/p/", client).incomplete_uploads()
    assert client.asked == [{"Bucket": "b", "Prefix": "p/"}]
    assert found == [{"key": "a.dump", "upload_id": "1", "initiated": "t1"},
                     {"key": "b.dump", "upload_id": "2", "initiated": "t2"}]
