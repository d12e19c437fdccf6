# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS failures as one exception type, raised from botocore's, saying what failed and its likely cause."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # modules report the missing boto3 through missing_required_lib
    class BotoCoreError(Exception):
        pass

    class ClientError(Exception):
        pass


class AwsError(RunbookError):
    """An AWS call failed; ``__cause__`` is botocore's exception."""


def handled(action):
    """Decorates a thin wrapper of one API call ``f(client, resource, ...)``: a botocore failure becomes
    AwsError("Cannot <action> <resource>: <botocore's message>")."""
    def decorate(call):
        @functools.wraps(call)
        def wrapper(client, resource, *args, **kwargs):
            try:
                return call(client, resource, *args, **kwargs)
            except (ClientError, BotoCoreError) as exc:
                raise AwsError("Cannot %s %s: %s" % (action, resource, exc)) from exc
        return wrapper
    return decorate


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
    """An AwsError naming the operation, the bucket (and key), HTTP status, S3 error code and the likely
    cause; never the credentials."""
    where = "s3://%s/%s" % (bucket, key) if key else "bucket %s" % bucket
    if not isinstance(exc, ClientError):
        return AwsError("S3 %s on %s failed: %s; likely cause: %s"
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
    return AwsError("S3 %s on %s failed: HTTP %s%s; likely cause: %s"
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
