"""IAM and STS in the twin: the learner's user, their least-privilege policy and access keys.

The learner user carries exactly the inline policy the cloud program attaches,
`lakelab.clouds.aws.access.aws_learner_policy(bp, account)`; once the twin switches moto's IAM
enforcement on, every request is signed, authenticated and checked against it, so a learner
can reach their own buckets, catalog databases and workgroup and nothing else.

lakelab itself provisions as `lakelab-admin`, a user with an allow-all policy created before
enforcement is switched on; its keys are kept in the state folder.

Emulated (moto): users, inline and managed policies, access keys, roles, groups,
`GetCallerIdentity`, `AssumeRole` (with the trust policy checked against exact principal ARNs).

Not emulated: policy conditions beyond moto's basic support; permission boundaries, SCPs and
session policies; `...:root` trust principals do not match users; STS sessions do not survive
an emulator restart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import unquote

from lakelab.clouds.aws.clients import is_missing

ADMIN_USER: Final = "lakelab-admin"
LEARNER_POLICY: Final = "lakelab-learner"
ADMIN_POLICY: Final[dict[str, Any]] = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "LakelabAdmin", "Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def ensure_user(iam: Any, name: str, tags: Mapping[str, str]) -> None:
    wanted = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    try:
        user = iam.get_user(UserName=name)["User"]
    except Exception as exc:
        if not is_missing(exc):
            raise
        iam.create_user(UserName=name, Tags=wanted)
        return
    current = {t["Key"]: t["Value"] for t in user.get("Tags", [])}
    if current != dict(tags):
        iam.tag_user(UserName=name, Tags=wanted)


def user_tags(iam: Any, name: str) -> dict[str, str] | None:
    try:
        user = iam.get_user(UserName=name)["User"]
    except Exception as exc:
        if is_missing(exc):
            return None
        raise
    return {t["Key"]: t["Value"] for t in user.get("Tags", [])}


def _document(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    text = str(raw)
    try:
        value = json.loads(text)
    except ValueError:
        value = json.loads(unquote(text))
    return dict(value)


def user_policy(iam: Any, user: str, policy: str) -> dict[str, Any] | None:
    try:
        raw = iam.get_user_policy(UserName=user, PolicyName=policy)["PolicyDocument"]
    except Exception as exc:
        if is_missing(exc):
            return None
        raise
    return _document(raw)


def user_policies(iam: Any, user: str) -> dict[str, dict[str, Any]]:
    """Every inline policy document of the user, by name."""
    names = iam.list_user_policies(UserName=user).get("PolicyNames", [])
    return {name: user_policy(iam, user, name) or {} for name in names}


def ensure_policy(iam: Any, user: str, policy: str, document: Mapping[str, Any]) -> None:
    if user_policy(iam, user, policy) != document:
        iam.put_user_policy(UserName=user, PolicyName=policy, PolicyDocument=json.dumps(document))


def ensure_key(iam: Any, user: str, known_key_id: str | None) -> tuple[str, str] | None:
    """Keep the known key if the user still has it; otherwise replace every key with a new
    one and return (id, secret). None means the known key is still good."""
    keys = [
        k["AccessKeyId"] for k in iam.list_access_keys(UserName=user).get("AccessKeyMetadata", [])
    ]
    if known_key_id and known_key_id in keys and len(keys) == 1:
        return None
    for key in keys:
        iam.delete_access_key(UserName=user, AccessKeyId=key)
    created = iam.create_access_key(UserName=user)["AccessKey"]
    return str(created["AccessKeyId"]), str(created["SecretAccessKey"])


def remove_user(iam: Any, name: str) -> bool:
    """Delete the user with their keys, inline and attached policies. False if none."""
    try:
        iam.get_user(UserName=name)
    except Exception as exc:
        if is_missing(exc):
            return False
        raise
    for key in iam.list_access_keys(UserName=name).get("AccessKeyMetadata", []):
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    for policy in iam.list_user_policies(UserName=name).get("PolicyNames", []):
        iam.delete_user_policy(UserName=name, PolicyName=policy)
    for attached in iam.list_attached_user_policies(UserName=name).get("AttachedPolicies", []):
        iam.detach_user_policy(UserName=name, PolicyArn=attached["PolicyArn"])
    for group in iam.list_groups_for_user(UserName=name).get("Groups", []):
        iam.remove_user_from_group(UserName=name, GroupName=group["GroupName"])
    tags = user_tags(iam, name) or {}
    if tags:
        iam.untag_user(UserName=name, TagKeys=sorted(tags))
    iam.delete_user(UserName=name)
    return True


def list_users(iam: Any) -> list[str]:
    names: list[str] = []
    for page in iam.get_paginator("list_users").paginate():
        names += [u["UserName"] for u in page.get("Users", [])]
    return sorted(names)
