# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every AWS client takes; importing this does not import boto3."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def argument_spec():
    """Options of the runbook.ops.aws documentation fragment."""
    return dict(
        # The aliases and the session, profile and TLS options are amazon.aws's names.
        endpoint_url=dict(type="str", aliases=["aws_endpoint_url", "s3_url"]),
        region=dict(type="str", aliases=["aws_region"]),
        aws_access_key=dict(type="str", no_log=True, aliases=["access_key", "aws_access_key_id"]),
        aws_secret_key=dict(type="str", no_log=True, aliases=["secret_key", "aws_secret_access_key"]),
        session_token=dict(type="str", no_log=True, aliases=["aws_session_token", "security_token"]),
        profile=dict(type="str", aliases=["aws_profile"]),
        aws_ca_bundle=dict(type="path"),
    )
