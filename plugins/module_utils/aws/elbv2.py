# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ELBv2 calls of the ALB router, one thin wrapper each; failures raise AwsError."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils.aws.errors import handled


@handled("read listener")
def listener(client, arn):
    return client.describe_listeners(ListenerArns=[arn])["Listeners"][0]


@handled("read listener")
def tags(client, arn):
    """The resource's tags as a dict."""
    found = client.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]
    return dict((tag["Key"], tag["Value"]) for tag in found)


@handled("change listener")
def modify_listener(client, arn, actions):
    client.modify_listener(ListenerArn=arn, DefaultActions=actions)


@handled("tag listener")
def add_tags(client, arn, values):
    client.add_tags(ResourceArns=[arn], Tags=[{"Key": key, "Value": value} for key, value in values.items()])


@handled("untag listener")
def remove_tags(client, arn, keys):
    client.remove_tags(ResourceArns=[arn], TagKeys=keys)
