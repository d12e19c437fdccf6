# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The S3 backend of ``storage``: objects under ``s3://bucket/prefix/``, multipart uploads of bounded memory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import sys
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.runbook.ops.plugins.module_utils.aws.client import HAS_BOTO3, connect  # pylint: disable=unused-import
from ansible_collections.runbook.ops.plugins.module_utils.aws.errors import BotoCoreError, ClientError, s3_error
from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg.streams import HashingWriter

MIN_PART_SIZE = 8 * 1024 * 1024
MAX_PARTS_TARGET = 9000

# Parts uploading at once, and the memory all part buffers may take together.
MAX_PARTS_IN_FLIGHT = 4
UPLOAD_MEMORY = 48 * 1024 * 1024


def part_size(expected_size, minimum=MIN_PART_SIZE):
    """Part size keeping a dump of ``expected_size`` bytes well below S3's 10,000 parts."""
    return max(minimum, -(-(expected_size or 0) // MAX_PARTS_TARGET))


def split_s3_uri(uri):
    """(bucket, prefix) of ``s3://bucket/prefix/``."""
    rest = uri[len("s3://"):]
    bucket, _sep, prefix = rest.partition("/")
    if not bucket:
        raise InputError("destination", uri, "an S3 destination is s3://bucket/prefix/")
    return bucket, prefix.strip("/")


def s3_client(params):
    """The S3 client of the runbook.ops.aws and runbook.ops.s3 options."""
    return connect("s3", params, validate_certs=params.get("validate_certs", True),
                   checksum_compat=params.get("s3_checksum_compat"))


class S3Storage:
    """Backups as objects under ``s3://bucket/prefix/``."""

    def __init__(self, uri, client, sse=None, sse_kms_key_id=None, storage_class=None, min_part_size=MIN_PART_SIZE,
                 checksum_compat=False):
        self.bucket, self.prefix = split_s3_uri(uri)
        self.client = client
        self.min_part_size = min_part_size
        # As boto3's own transfers do: a multipart upload declares the checksum its parts carry and the
        # completion lists each part's, so S3 checks every part and keeps a checksum of the object.
        self.multipart_checksum = None if checksum_compat else "CRC32"
        self.put_args = {}
        if sse:
            self.put_args["ServerSideEncryption"] = sse
        if sse_kms_key_id:
            self.put_args["SSEKMSKeyId"] = sse_kms_key_id
        if storage_class:
            self.put_args["StorageClass"] = storage_class

    def object_key(self, key):
        return "%s/%s" % (self.prefix, key) if self.prefix else key

    def uri(self, key):
        return "s3://%s/%s" % (self.bucket, self.object_key(key))

    def key_of(self, location):
        base = "s3://%s/%s" % (self.bucket, self.prefix + "/" if self.prefix else "")
        return location[len(base):] if location.startswith(base) else None

    def check(self, writable):
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            raise s3_error(self._explain_refusal(exc), "head_bucket", self.bucket) from exc
        except BotoCoreError as exc:
            raise s3_error(exc, "head_bucket", self.bucket) from exc

    def _explain_refusal(self, exc):
        """A HEAD answer has no body, so a refusal says only "403"; a listing names the error code."""
        if exc.response.get("Error", {}).get("Code") != "403":
            return exc
        try:
            self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)
        except ClientError as probe:
            return probe
        except BotoCoreError:
            pass
        return exc

    def open_writer(self, key, expected_size=0):
        size = part_size(expected_size, self.min_part_size)
        return HashingWriter(_S3Sink(self, self.object_key(key), size))

    def put_bytes(self, key, data):
        self._call("put_object", key, Bucket=self.bucket, Key=self.object_key(key), Body=data, **self.put_args)

    def read_bytes(self, key):
        return self.open_reader(key).read()

    def open_reader(self, key, etag=None):
        args = {"Bucket": self.bucket, "Key": self.object_key(key)}
        if etag:
            args["IfMatch"] = etag
        return self._call("get_object", key, **args)["Body"]

    def etag(self, key):
        return self._call("head_object", key, Bucket=self.bucket, Key=self.object_key(key))["ETag"]

    def exists(self, key):
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise s3_error(exc, "head_object", self.bucket, self.object_key(key)) from exc
        except BotoCoreError as exc:
            raise s3_error(exc, "head_object", self.bucket, self.object_key(key)) from exc

    def list(self):
        prefix = self.prefix + "/" if self.prefix else ""
        found = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    found.append({"key": item["Key"][len(prefix):], "size": item["Size"]})
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, "list_objects_v2", self.bucket, prefix or None) from exc
        return found

    def incomplete_uploads(self):
        """Open multipart uploads under the prefix as ``{key, upload_id, initiated}`` (keys relative to it)."""
        prefix = self.prefix + "/" if self.prefix else ""
        found = []
        try:
            for page in self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket,
                                                                                     Prefix=prefix):
                for upload in page.get("Uploads", []):
                    found.append({"key": upload["Key"][len(prefix):], "upload_id": upload["UploadId"],
                                  "initiated": upload["Initiated"]})
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, "list_multipart_uploads", self.bucket, prefix or None) from exc
        return found

    def abort_upload(self, key, upload_id):
        self._call("abort_multipart_upload", key, Bucket=self.bucket, Key=self.object_key(key), UploadId=upload_id)

    def delete(self, key):
        self._call("delete_object", key, Bucket=self.bucket, Key=self.object_key(key))

    def _call(self, action, key, **args):
        try:
            return getattr(self.client, action)(**args)
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, action, self.bucket, self.object_key(key)) from exc


class _S3Sink:
    """Uploads in parts of ``part_size``; a stream smaller than one part becomes a single put.

    While parts upload in background threads the next one fills from pg_dump, so dumping and uploading
    overlap. Several parts are in flight when they are small (one request at a time leaves a network
    link idle between parts); the buffers, allocated up front, stay within UPLOAD_MEMORY whatever the
    size of the dump, with at least one part in flight and one filling.
    """

    def __init__(self, storage, object_key, part_size):
        self.storage = storage
        self.key = object_key
        self.part_size = part_size
        in_flight = max(1, min(MAX_PARTS_IN_FLIGHT, UPLOAD_MEMORY // part_size - 1))
        self.buffers = [bytearray(part_size) for _index in range(in_flight + 1)]
        self.free = list(range(1, len(self.buffers)))
        self.current = 0
        self.filled = 0
        self.upload_id = None
        self.parts = []
        self.next_part = 1
        self.in_flight = collections.deque()
        self.executor = None

    def write(self, data):
        data = memoryview(data)
        while len(data):
            taken = min(len(data), self.part_size - self.filled)
            self.buffers[self.current][self.filled:self.filled + taken] = data[:taken]
            self.filled += taken
            data = data[taken:]
            if self.filled == self.part_size:
                self._hand_over()

    def _hand_over(self):
        """Starts uploading the full buffer in the background and goes on in a free one."""
        if self.upload_id is None:
            self._create_upload()
            self.executor = ThreadPoolExecutor(max_workers=len(self.buffers) - 1)
        if not self.free:
            self._wait_oldest()
        number, self.next_part = self.next_part, self.next_part + 1
        future = self.executor.submit(self._upload_part, number, self.buffers[self.current])
        self.in_flight.append((future, self.current))
        self.current = self.free.pop()
        self.filled = 0

    def _wait_oldest(self):
        future, index = self.in_flight.popleft()
        try:
            future.result()
        finally:
            self.free.append(index)

    def _wait_all(self):
        while self.in_flight:
            self._wait_oldest()

    def commit(self):
        client, bucket = self.storage.client, self.storage.bucket
        rest = bytes(self.buffers[self.current][:self.filled])
        try:
            self._wait_all()
            if self.upload_id is None:
                client.put_object(Bucket=bucket, Key=self.key, Body=rest, **self.storage.put_args)
                return
            if rest or not self.parts:
                self._upload_part(self.next_part, rest)
            parts = sorted(self.parts, key=lambda part: part["PartNumber"])
            client.complete_multipart_upload(Bucket=bucket, Key=self.key, UploadId=self.upload_id,
                                             MultipartUpload={"Parts": parts})
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, "put_object" if self.upload_id is None else "complete_multipart_upload",
                           bucket, self.key) from exc
        finally:
            self._release()

    def abort(self, cause=None):
        """Aborts the multipart upload; when that fails too, the error names both failures and the upload id."""
        cause = cause if cause is not None else sys.exc_info()[1]
        while self.in_flight:
            try:
                self._wait_oldest()
            except Exception:  # pylint: disable=broad-except
                pass  # the upload is aborted whatever its parts did
        self._release()
        if self.upload_id is None:
            return
        try:
            self.storage.client.abort_multipart_upload(Bucket=self.storage.bucket, Key=self.key,
                                                       UploadId=self.upload_id)
        except (ClientError, BotoCoreError) as exc:
            raise self._abort_failed(s3_error(exc, "abort_multipart_upload", self.storage.bucket, self.key), cause) from exc

    def _abort_failed(self, abort_error, cause):
        bucket = self.storage.bucket
        if cause is None:
            first = "interrupted"
        else:
            first = getattr(cause, "msg", None) or str(cause) or type(cause).__name__
        return RunbookError(
            "Upload of s3://%s/%s failed: %s. Aborting its multipart upload %s then failed as well: %s. The upload "
            "stays open and takes storage until it is aborted: the next pg_backup run aborts it once it is older "
            "than incomplete_grace_hours, or run 'aws s3api abort-multipart-upload --bucket %s --key %s "
            "--upload-id %s'" % (bucket, self.key, first, self.upload_id, abort_error.msg, bucket, self.key,
                                 self.upload_id),
            upload_id=self.upload_id, upload_error=first, abort_error=abort_error.msg,
            s3_bucket=bucket, s3_key=self.key)

    def _release(self):
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor = None
        self.buffers = [bytearray()]
        self.current = 0
        self.filled = 0

    def _create_upload(self):
        try:
            self.upload_id = self.storage.client.create_multipart_upload(
                Bucket=self.storage.bucket, Key=self.key, **dict(self.storage.put_args, **self._checksum_args())
            )["UploadId"]
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, "create_multipart_upload", self.storage.bucket, self.key) from exc

    def _upload_part(self, number, part):
        client, bucket = self.storage.client, self.storage.bucket
        try:
            response = client.upload_part(Bucket=bucket, Key=self.key, UploadId=self.upload_id,
                                          PartNumber=number, Body=part, **self._checksum_args())
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, "upload_part (part %d)" % number, bucket, self.key) from exc
        uploaded = {"PartNumber": number, "ETag": response["ETag"]}
        algorithm = self.storage.multipart_checksum
        if algorithm and "Checksum" + algorithm in response:
            uploaded["Checksum" + algorithm] = response["Checksum" + algorithm]
        self.parts.append(uploaded)

    def _checksum_args(self):
        algorithm = self.storage.multipart_checksum
        return {"ChecksumAlgorithm": algorithm} if algorithm else {}
