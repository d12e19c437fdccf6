# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place boto3 clients are built: credentials, region, endpoint, TLS and retries."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils.aws.errors import AwsError, BotoCoreError

try:
    import boto3
    from botocore.config import Config
    HAS_BOTO3 = True
except ImportError:  # modules report it through missing_required_lib
    HAS_BOTO3 = False

SERVICE_NAMES = {"s3": "S3", "elbv2": "ELBv2"}


def connect(service, params, validate_certs=True, retry_mode="standard", checksum_compat=False):
    """boto3 client of ``service`` from the options of ``options.argument_spec()``; credentials fall back to the
    standard AWS environment and files. ``retry_mode`` is botocore's: standard or adaptive."""
    options = {"retries": {"max_attempts": 5, "mode": retry_mode}}
    if checksum_compat:
        # Stores that predate S3's default CRC checksums reject them; send checksums only when required.
        options.update(request_checksum_calculation="when_required", response_checksum_validation="when_required")
    try:
        session = boto3.session.Session(
            aws_access_key_id=params.get("aws_access_key"), aws_secret_access_key=params.get("aws_secret_key"),
            aws_session_token=params.get("session_token"), region_name=params.get("region"),
            profile_name=params.get("profile"))
    except BotoCoreError as exc:  # ProfileNotFound, a broken AWS configuration file
        raise AwsError("Cannot set up the %s client: %s" % (SERVICE_NAMES.get(service, service), exc),
                       profile=params.get("profile")) from exc
    verify = (params.get("aws_ca_bundle") or True) if validate_certs else False
    return session.client(service, endpoint_url=params.get("endpoint_url"), verify=verify, config=Config(**options))
