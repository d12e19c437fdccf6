# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Connection options of every AWS client (S3 storage, ALB listeners).
    DOCUMENTATION = r'''
options:
  endpoint_url:
    description:
      - URL of the AWS API endpoint, or of an S3-compatible store (MinIO, Ceph, ...). Defaults to AWS, or
        C(AWS_ENDPOINT_URL).
    type: str
    aliases: [aws_endpoint_url, s3_url]
  region:
    description:
      - AWS region. Defaults to C(AWS_REGION) / C(AWS_DEFAULT_REGION) or the AWS configuration.
    type: str
    aliases: [aws_region]
  aws_access_key:
    description:
      - Access key. Defaults to the standard AWS chain (C(AWS_ACCESS_KEY_ID), O(profile), instance roles).
      - The aliases are amazon.aws's names, as are O(session_token), O(profile) and O(aws_ca_bundle), so its
        module_defaults and variables carry over.
    type: str
    aliases: [access_key, aws_access_key_id]
  aws_secret_key:
    description:
      - Secret key of O(aws_access_key). Never logged.
    type: str
    aliases: [secret_key, aws_secret_access_key]
  session_token:
    description:
      - Session token of temporary credentials (STS), with O(aws_access_key) and O(aws_secret_key). Never logged.
      - Defaults to C(AWS_SESSION_TOKEN) or the AWS configuration.
    type: str
    aliases: [aws_session_token, security_token]
  profile:
    description:
      - Named profile of the AWS configuration and credentials files to take credentials and region from.
      - Defaults to C(AWS_PROFILE), then the default profile. A profile that does not exist fails the task.
    type: str
    aliases: [aws_profile]
  aws_ca_bundle:
    description:
      - PEM file with the CA certificate(s) that signed the endpoint's certificate, instead of botocore's
        bundle. Defaults to C(AWS_CA_BUNDLE).
    type: path
notes:
  - Requests that fail for a transient reason (throttling, a dropped connection, HTTP 5xx) are retried, up to
    five attempts in all, in botocore's C(standard) retry mode.
'''
