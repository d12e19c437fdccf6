# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # S3 storage of backups (used when the destination is s3://bucket/prefix/).
    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Verify the S3 endpoint's TLS certificate. Only set to V(false) for throwaway test stores.
    type: bool
    default: true
  sse:
    description:
      - Server-side encryption of written objects, V(AES256) (SSE-S3) or V(aws:kms) (SSE-KMS).
    type: str
    choices: [AES256, aws:kms]
  sse_kms_key_id:
    description:
      - KMS key id, ARN or alias for O(sse=aws:kms).
    type: str
  storage_class:
    description:
      - Storage class of written objects, for example C(STANDARD_IA).
    type: str
  s3_checksum_compat:
    description:
      - Send request checksums only when an operation requires them (botocore
        C(request_checksum_calculation=when_required)), for S3-compatible stores that reject the newer
        default CRC checksums.
      - By default a multipart upload declares C(CRC32) when it is created, every part carries its
        CRC32 and the completion lists them, as boto3's own transfers do; with this option none of
        these fields are sent.
    type: bool
    default: false
  part_size:
    description:
      - Smallest multipart part size in bytes (default 8 MiB); larger dumps get larger parts, so that the
        database size fits in 9,000 parts. S3 requires at least 5 MiB; smaller values are for test stores.
    type: int
notes:
  - For C(s3://) destinations the credentials need C(s3:ListBucket), C(s3:GetObject), C(s3:PutObject) and
    C(s3:DeleteObject) on the prefix, and C(s3:ListBucketMultipartUploads) and C(s3:AbortMultipartUpload) to
    list and abort multipart uploads left by killed runs.
  - S3 errors name the operation, the bucket and key, the HTTP status, S3's error code and its likely cause
    (for example an unknown access key, a secret that does not match, or a policy that refuses the operation).
requirements:
  - boto3 (for s3:// destinations)
'''
