# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make an ALB with two target groups and a listener on moto's ELBv2 API, or read a listener's weights.

  alb.py ENDPOINT create NAME     -> JSON {listener, blue, green}
  alb.py ENDPOINT weights LISTENER -> JSON {target group ARN: weight}
"""

import json
import sys

import boto3


def clients(endpoint):
    options = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                   aws_secret_access_key="testing")
    return boto3.client("ec2", **options), boto3.client("elbv2", **options)


def create(ec2, elbv2, name):
    vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.%d.0/24" % n, AvailabilityZone="us-east-1" + zone)
               ["Subnet"]["SubnetId"] for n, zone in ((1, "a"), (2, "b"))]
    balancer = elbv2.create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    groups = dict((color, elbv2.create_target_group(Name="%s-%s" % (name, color), Protocol="HTTP", Port=80,
                                                    VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"])
                  for color in ("blue", "green"))
    listener = elbv2.create_listener(
        LoadBalancerArn=balancer, Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [
            {"TargetGroupArn": groups["blue"], "Weight": 100}, {"TargetGroupArn": groups["green"], "Weight": 0}]}}],
    )["Listeners"][0]["ListenerArn"]
    return dict(groups, listener=listener)


def listener_weights(elbv2, listener):
    actions = elbv2.describe_listeners(ListenerArns=[listener])["Listeners"][0]["DefaultActions"]
    return dict((group["TargetGroupArn"], group.get("Weight")) for action in actions
                for group in action.get("ForwardConfig", {}).get("TargetGroups", []))


def main():
    endpoint, command, argument = sys.argv[1:4]
    ec2, elbv2 = clients(endpoint)
    if command == "create":
        print(json.dumps(create(ec2, elbv2, argument)))
    else:
        print(json.dumps(listener_weights(elbv2, argument)))


main()
