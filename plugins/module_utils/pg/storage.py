# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where backups live: a local directory or an S3 prefix, behind one interface.

Keys are relative to the destination; ``uri(key)`` gives the full location. Writers hash (SHA-256)
and count the stream as it flows, hold at most one part in memory, and remove what they wrote
when aborted (S3: the multipart upload is aborted). The backends are ``local_storage`` and ``s3``;
this module picks one for a destination and holds the S3 options.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.runbook.ops.plugins.module_utils.aws import options as aws_options
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg.local_storage import LocalStorage


def open_destination(destination, params):
    """Storage for ``destination`` (a directory or ``s3://bucket/prefix/``) configured from module params.

    The S3 backend (and boto3) is only imported for S3 destinations, which keeps local backups quick to start.
    """
    if not destination.startswith("s3://"):
        return LocalStorage(destination)
    from ansible_collections.runbook.ops.plugins.module_utils.pg import s3
    if not s3.HAS_BOTO3:
        raise RunbookError(missing_required_lib("boto3"), destination=destination)
    client = s3.s3_client(params)
    return s3.S3Storage(destination, client, sse=params.get("sse"), sse_kms_key_id=params.get("sse_kms_key_id"),
                        storage_class=params.get("storage_class"),
                        min_part_size=params.get("part_size") or s3.MIN_PART_SIZE,
                        checksum_compat=params.get("s3_checksum_compat"))


def argument_spec():
    """Options of the runbook.ops.aws and runbook.ops.s3 documentation fragments."""
    return dict(
        aws_options.argument_spec(),
        validate_certs=dict(type="bool", default=True),
        sse=dict(type="str", choices=["AES256", "aws:kms"]),
        sse_kms_key_id=dict(type="str", no_log=False),
        storage_class=dict(type="str"),
        s3_checksum_compat=dict(type="bool", default=False),
        part_size=dict(type="int"),
    )
