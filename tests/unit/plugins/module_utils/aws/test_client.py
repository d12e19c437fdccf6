# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.aws import client as aws_client


class FakeSession:
    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def client(self, service, **kwargs):
        return dict(kwargs, service=service, session=self.kwargs)


class FakeBoto3:
    class session:
        Session = FakeSession


@pytest.fixture(autouse=True)
def fake_boto3(mocker):
    mocker.patch.object(aws_client, "boto3", FakeBoto3, create=True)
    mocker.patch.object(aws_client, "Config", dict, create=True)


def test_every_client_retries_in_standard_mode_by_default():
    built = aws_client.connect("elbv2", {"region": "eu-west-1", "session_token": "tok", "profile": "ops"})
    assert built["service"] == "elbv2"
    assert built["config"] == {"retries": {"max_attempts": 5, "mode": "standard"}}
    assert built["session"]["aws_session_token"] == "tok" and built["session"]["profile_name"] == "ops"
    assert built["verify"] is True


def test_adaptive_retries_and_checksums_only_when_required():
    built = aws_client.connect("s3", {}, retry_mode="adaptive", checksum_compat=True)
    assert built["config"] == {"retries": {"max_attempts": 5, "mode": "adaptive"},
                               "request_checksum_calculation": "when_required",
                               "response_checksum_validation": "when_required"}


def test_the_ca_bundle_is_verified_against_unless_validation_is_off():
    assert aws_client.connect("s3", {"aws_ca_bundle": "/ca.pem"})["verify"] == "/ca.pem"
    assert aws_client.connect("s3", {"aws_ca_bundle": "/ca.pem"}, validate_certs=False)["verify"] is False
