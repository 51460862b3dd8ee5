"""Deleting what the AWS sweep found: each kind by its own call, dependants first where a
kind has them (a bucket's object versions and delete markers, an IAM user's keys, login
profile and policies, a role's policies and instance profiles)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from lakelab.cohort.sweep import Found

Client = Callable[..., Any]  # (service, region) -> a boto3 client


def delete(client: Client, item: Found, region: str) -> None:
    """Delete one found resource; `region` is where a regional one without a region is."""
    region = item.region or region
    kind, name = item.kind, item.name
    if kind == "s3 bucket":
        empty_bucket(client("s3", region), name)
        client("s3", region).delete_bucket(Bucket=name)
    elif kind.startswith("glue "):
        _delete_glue(client("glue", region), kind, name)
    elif kind == "athena workgroup":
        client("athena", region).delete_work_group(WorkGroup=name, RecursiveDeleteOption=True)
    elif kind == "redshift-serverless workgroup":
        client("redshift-serverless", region).delete_workgroup(workgroupName=name)
    elif kind == "redshift-serverless namespace":
        client("redshift-serverless", region).delete_namespace(namespaceName=name)
    elif kind == "redshift cluster":
        client("redshift", region).delete_cluster(
            ClusterIdentifier=name, SkipFinalClusterSnapshot=True
        )
    elif kind == "iam user":
        delete_user(client("iam"), name)
    elif kind == "iam role":
        delete_role(client("iam"), name)
    elif kind == "budget":
        account = client("sts").get_caller_identity()["Account"]
        client("budgets").delete_budget(AccountId=account, BudgetName=name)
    else:
        raise LookupError(f"lakelab does not sweep {kind}; delete it by hand")


def _delete_glue(glue: Any, kind: str, name: str) -> None:
    call = {
        "glue trigger": lambda: glue.delete_trigger(Name=name),
        "glue workflow": lambda: glue.delete_workflow(Name=name),
        "glue job": lambda: glue.delete_job(JobName=name),
        "glue crawler": lambda: glue.delete_crawler(Name=name),
        "glue database": lambda: glue.delete_database(Name=name),
    }.get(kind)
    if call is None:
        raise LookupError(f"lakelab does not sweep {kind}; delete it by hand")
    call()


def empty_bucket(s3: Any, bucket: str) -> None:
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        keys = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(keys), 1000):
            s3.delete_objects(
                Bucket=bucket, Delete={"Objects": keys[start : start + 1000], "Quiet": True}
            )
    # Objects a listing of versions does not show (some emulators, unversioned buckets).
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})


def delete_user(iam: Any, user: str) -> None:
    for key in iam.list_access_keys(UserName=user).get("AccessKeyMetadata", []):
        iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    with contextlib.suppress(iam.exceptions.NoSuchEntityException):
        iam.delete_login_profile(UserName=user)
    for policy in iam.list_user_policies(UserName=user).get("PolicyNames", []):
        iam.delete_user_policy(UserName=user, PolicyName=policy)
    for policy in iam.list_attached_user_policies(UserName=user).get("AttachedPolicies", []):
        iam.detach_user_policy(UserName=user, PolicyArn=policy["PolicyArn"])
    for group in iam.list_groups_for_user(UserName=user).get("Groups", []):
        iam.remove_user_from_group(UserName=user, GroupName=group["GroupName"])
    iam.delete_user(UserName=user)


def delete_role(iam: Any, role: str) -> None:
    for policy in iam.list_role_policies(RoleName=role).get("PolicyNames", []):
        iam.delete_role_policy(RoleName=role, PolicyName=policy)
    for policy in iam.list_attached_role_policies(RoleName=role).get("AttachedPolicies", []):
        iam.detach_role_policy(RoleName=role, PolicyArn=policy["PolicyArn"])
    for profile in iam.list_instance_profiles_for_role(RoleName=role).get("InstanceProfiles", []):
        iam.remove_role_from_instance_profile(
            InstanceProfileName=profile["InstanceProfileName"], RoleName=role
        )
    iam.delete_role(RoleName=role)
