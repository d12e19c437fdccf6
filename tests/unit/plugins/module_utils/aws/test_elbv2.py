# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.aws import elbv2
from ansible_collections.runbook.ops.plugins.module_utils.aws.errors import AwsError, ClientError

ARN = "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/shop/1/2"


class RefusingClient:
    def describe_listeners(self, **args):
        response = {"Error": {"Code": "ListenerNotFound", "Message": "no such listener"}}
        exc = ClientError(response, "DescribeListeners")
        exc.response = response
        raise exc


class RecordingClient:
    def __init__(self):
        self.calls = []

    def describe_tags(self, **args):
        return {"TagDescriptions": [{"Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]}]}

    def add_tags(self, **args):
        self.calls.append(args)


def test_a_failed_call_is_one_aws_error_naming_the_resource_raised_from_botocores():
    with pytest.raises(AwsError) as raised:
        elbv2.listener(RefusingClient(), ARN)
    assert raised.value.msg.startswith("Cannot read listener %s: " % ARN)
    assert isinstance(raised.value.__cause__, ClientError)


def test_tags_are_a_dict_and_are_written_in_the_order_given():
    client = RecordingClient()
    assert elbv2.tags(client, ARN) == {"a": "1", "b": "2"}
    elbv2.add_tags(client, ARN, {"z": "1", "a": "2"})
    assert client.calls == [{"ResourceArns": [ARN], "Tags": [{"Key": "z", "Value": "1"}, {"Key": "a", "Value": "2"}]}]
