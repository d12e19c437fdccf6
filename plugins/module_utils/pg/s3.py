# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The S3 backend of ``storage``: objects under ``s3://bucket/prefix/``, multipart uploads of bounded memory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import sys
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg.storage import (
    MIN_PART_SIZE, HashingWriter, part_size, split_s3_uri)

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
    HAS_BOTO3 = True
except ImportError:
    HAS_BOTO3 = False

    class BotoCoreError(Exception):
        pass

    class ClientError(Exception):
        pass


# Parts uploading at once, and the memory all part buffers may take together.
MAX_PARTS_IN_FLIGHT = 4
UPLOAD_MEMORY = 48 * 1024 * 1024


def s3_client(region=None, endpoint_url=None, access_key=None, secret_key=None, checksum_compat=False,
              session_token=None, profile=None, ca_bundle=None, validate_certs=True):
    """boto3 S3 client; credentials fall back to the standard AWS environment and files."""
    options = {"retries": {"max_attempts": 5, "mode": "standard"}}
    if checksum_compat:
        # Stores that predate S3's default CRC checksums reject them; send checksums only when required.
        options.update(request_checksum_calculation="when_required", response_checksum_validation="when_required")
    try:
        session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                                        aws_session_token=session_token, region_name=region, profile_name=profile)
    except BotoCoreError as exc:  # ProfileNotFound, a broken AWS configuration file
        raise RunbookError("Cannot set up the S3 client: %s" % exc, profile=profile)
    verify = (ca_bundle or True) if validate_certs else False
    return session.client("s3", endpoint_url=endpoint_url, verify=verify, config=Config(**options))


# The likely cause of an S3 error code, told to whoever is paged: what to check, not only what failed.
CAUSES = {
    "InvalidAccessKeyId": "the access key is not known to this store: check aws_access_key (or AWS_ACCESS_KEY_ID, "
                          "the profile) and that endpoint_url points at the store the key belongs to",
    "SignatureDoesNotMatch": "the secret key does not belong to the access key: check aws_secret_key "
                             "(or AWS_SECRET_ACCESS_KEY)",
    "AccessDenied": "the credentials are valid but a policy (the user's, the bucket's or the KMS key's) does not "
                    "allow this operation on the bucket",
    "403": "access was refused: the credentials are wrong (unknown access key or wrong secret) or a policy does not "
           "allow this operation on the bucket",
    "ExpiredToken": "the session token has expired: renew the credentials",
    "InvalidToken": "the session token is not valid: renew the credentials",
    "RequestTimeTooSkewed": "this host's clock differs too much from the store's: fix the time (NTP)",
    "NoSuchBucket": "the bucket does not exist: check the destination, endpoint_url and region",
    "NoSuchKey": "the object does not exist (any more): another run or a lifecycle rule may have deleted it",
    "NoSuchUpload": "the multipart upload no longer exists: it was completed or aborted by someone else",
    "EntityTooSmall": "parts are smaller than the store's minimum: raise part_size (S3 requires 5 MiB)",
    "PermanentRedirect": "the bucket is in another region: set region",
    "AuthorizationHeaderMalformed": "the request was signed for another region: set region",
    "SlowDown": "the store is throttling requests: retry later or run fewer backups at once",
    "ServiceUnavailable": "the store is unavailable: retry later",
    "InternalError": "the store failed internally: retry later",
    "KMS.DisabledException": "the KMS key of sse_kms_key_id is disabled",
    "KMS.NotFoundException": "the KMS key of sse_kms_key_id does not exist",
    "InvalidRequest": "the store rejected the request; stores without S3's newer checksums need s3_checksum_compat",
}


def s3_error(exc, operation, bucket, key=None):
    """A RunbookError naming the operation, the bucket (and key), HTTP status, S3 error code and the likely
    cause; never the credentials."""
    where = "s3://%s/%s" % (bucket, key) if key else "bucket %s" % bucket
    if not isinstance(exc, ClientError):
        return RunbookError("S3 %s on %s failed: %s; likely cause: %s"
                            % (operation, where, exc, _transport_cause(exc)),
                            s3_operation=operation, s3_bucket=bucket, s3_key=key)
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = str(error.get("Code") or status or "unknown")
    if code in ("404", "NotFound"):  # HEAD answers carry no error code
        cause = CAUSES["NoSuchKey"] if key else None
    else:
        cause = CAUSES.get(code) or CAUSES.get(str(status)) or "see the store's message"
    if code == "NoSuchBucket" or cause is None:
        cause = "bucket %s does not exist: check the destination, endpoint_url and region" % bucket
    said = " ".join(part for part in (code if code != str(status) else "", "(%s)" % error["Message"]
                                      if error.get("Message") else "") if part)
    return RunbookError("S3 %s on %s failed: HTTP %s%s; likely cause: %s"
                        % (operation, where, status, " " + said if said else "", cause),
                        s3_operation=operation, s3_bucket=bucket, s3_key=key, s3_http_status=status,
                        s3_error_code=code)


def _transport_cause(exc):
    name = type(exc).__name__
    if "Credential" in name:
        return "no credentials were found: set aws_access_key and aws_secret_key or the AWS environment"
    if "Connect" in name or "Timeout" in name:
        return "the store cannot be reached: check endpoint_url, the network and the store"
    return "see the message"


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
            raise s3_error(self._explain_refusal(exc), "head_bucket", self.bucket)
        except BotoCoreError as exc:
            raise s3_error(exc, "head_bucket", self.bucket)

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
            raise s3_error(exc, "head_object", self.bucket, self.object_key(key))
        except BotoCoreError as exc:
            raise s3_error(exc, "head_object", self.bucket, self.object_key(key))

    def list(self):
        prefix = self.prefix + "/" if self.prefix else ""
        found = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    found.append({"key": item["Key"][len(prefix):], "size": item["Size"]})
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, "list_objects_v2", self.bucket, prefix or None)
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
            raise s3_error(exc, "list_multipart_uploads", self.bucket, prefix or None)
        return found

    def abort_upload(self, key, upload_id):
        self._call("abort_multipart_upload", key, Bucket=self.bucket, Key=self.object_key(key), UploadId=upload_id)

    def delete(self, key):
        self._call("delete_object", key, Bucket=self.bucket, Key=self.object_key(key))

    def _call(self, action, key, **args):
        try:
            return getattr(self.client, action)(**args)
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, action, self.bucket, self.object_key(key))


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
                           bucket, self.key)
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
            raise self._abort_failed(s3_error(exc, "abort_multipart_upload", self.storage.bucket, self.key), cause)

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
            raise s3_error(exc, "create_multipart_upload", self.storage.bucket, self.key)

    def _upload_part(self, number, part):
        client, bucket = self.storage.client, self.storage.bucket
        try:
            response = client.upload_part(Bucket=bucket, Key=self.key, UploadId=self.upload_id,
                                          PartNumber=number, Body=part, **self._checksum_args())
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, "upload_part (part %d)" % number, bucket, self.key)
        uploaded = {"PartNumber": number, "ETag": response["ETag"]}
        algorithm = self.storage.multipart_checksum
        if algorithm and "Checksum" + algorithm in response:
            uploaded["Checksum" + algorithm] = response["Checksum" + algorithm]
        self.parts.append(uploaded)

    def _checksum_args(self):
        algorithm = self.storage.multipart_checksum
        return {"ChecksumAlgorithm": algorithm} if algorithm else {}
