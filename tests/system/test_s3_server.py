"""moto's S3 server speaks the real S3 API, multipart uploads included."""

import hashlib
import os
import uuid

import pytest

boto3 = pytest.importorskip("boto3")
from boto3.s3.transfer import TransferConfig  # noqa: E402


def test_20mib_object_round_trips_by_multipart(s3, tmp_path):
    client = boto3.client("s3", endpoint_url=s3["AWS_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    bucket = "proof-%s" % uuid.uuid4().hex[:8]
    client.create_bucket(Bucket=bucket)
    payload = os.urandom(20 * 1024 * 1024)
    source = tmp_path / "source.bin"
    source.write_bytes(payload)
    part_size = 5 * 1024 * 1024  # boto3 never sends parts below S3's 5 MiB
    config = TransferConfig(multipart_threshold=part_size, multipart_chunksize=part_size)

    client.upload_file(str(source), bucket, "proof/object.bin", Config=config)
    head = client.head_object(Bucket=bucket, Key="proof/object.bin")
    target = tmp_path / "target.bin"
    client.download_file(bucket, "proof/object.bin", str(target))

    assert head["ETag"].strip('"').endswith("-4"), "expected a 4-part multipart upload"
    assert head["ContentLength"] == len(payload)
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(payload).digest()


def test_server_accepts_parts_below_the_aws_minimum(s3):
    client = boto3.client("s3", endpoint_url=s3["AWS_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    bucket = "small-parts-%s" % uuid.uuid4().hex[:8]
    client.create_bucket(Bucket=bucket)
    part = int(s3["S3_MIN_PART_SIZE"])
    upload = client.create_multipart_upload(Bucket=bucket, Key="k")
    parts = []
    for number in (1, 2, 3):
        etag = client.upload_part(Bucket=bucket, Key="k", UploadId=upload["UploadId"], PartNumber=number,
                                  Body=b"x" * part)["ETag"]
        parts.append({"ETag": etag, "PartNumber": number})
    client.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload["UploadId"],
                                     MultipartUpload={"Parts": parts})
    assert client.head_object(Bucket=bucket, Key="k")["ContentLength"] == 3 * part
