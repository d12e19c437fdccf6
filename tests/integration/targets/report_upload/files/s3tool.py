"""Bucket set-up and read-back for the report_upload target: s3tool.py create|delete BUCKET, get BUCKET KEY."""

import json
import os
import sys

import boto3


def client():
    return boto3.client("s3", endpoint_url=os.environ["RUNBOOK_S3_ENDPOINT"], region_name="us-east-1")


def delete(s3, bucket):
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=bucket)


def main(action, bucket, key=None):
    s3 = client()
    if action == "create":
        s3.create_bucket(Bucket=bucket)
    elif action == "delete":
        delete(s3, bucket)
    elif action == "get":
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        print(json.dumps({"body": body}))
    else:
        raise SystemExit("unknown action %s" % action)


if __name__ == "__main__":
    main(*sys.argv[1:])
