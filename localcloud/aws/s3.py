"""S3 in the twin: one bucket per layer, plus query results and artifacts.

Emulated (moto): buckets, objects, object versions and delete markers, multipart uploads,
presigned URLs, bucket tags, versioning, the default-encryption setting, the Public Access
Block setting, lifecycle rules, and IAM checks on every bucket and object call (the learner's
policy decides, as in AWS).

Not emulated: bytes are not encrypted at rest (the encryption setting is stored and reported
only); Block Public Access is stored but not enforced by moto, which matters little here
because every request must be signed by a known IAM identity; no replication, no event
notifications to other services, no storage classes or Glacier restores.

Each function is idempotent: it reads first and writes only what differs, so running
`lakelab local up` again changes nothing and journals nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from lakelab.clouds.aws.clients import error_code, is_missing

ENCRYPTION: Final[dict[str, Any]] = {
    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
}
PUBLIC_ACCESS_BLOCK: Final[dict[str, bool]] = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


@dataclass(frozen=True)
class BucketSpec:
    name: str
    versioned: bool
    tags: Mapping[str, str]
    block_public: bool = True


def _tag_set(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def ensure_bucket(s3: Any, spec: BucketSpec, region: str) -> None:
    """Create the bucket if needed and bring its settings to the spec."""
    created = False
    try:
        s3.head_bucket(Bucket=spec.name)
    except Exception as exc:
        if not is_missing(exc):
            raise
        kwargs: dict[str, Any] = {"Bucket": spec.name}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**kwargs)
        created = True

    if created or _encryption(s3, spec.name) != ENCRYPTION["Rules"]:
        s3.put_bucket_encryption(Bucket=spec.name, ServerSideEncryptionConfiguration=ENCRYPTION)
    if spec.versioned and (created or _versioning(s3, spec.name) != "Enabled"):
        s3.put_bucket_versioning(Bucket=spec.name, VersioningConfiguration={"Status": "Enabled"})
    if spec.block_public and (created or public_access_block(s3, spec.name) != PUBLIC_ACCESS_BLOCK):
        s3.put_public_access_block(
            Bucket=spec.name, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK
        )
    if created or bucket_tags(s3, spec.name) != dict(spec.tags):
        s3.put_bucket_tagging(Bucket=spec.name, Tagging={"TagSet": _tag_set(spec.tags)})


def _encryption(s3: Any, bucket: str) -> list[dict[str, Any]] | None:
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ]
    except Exception as exc:
        if is_missing(exc):
            return None
        raise
    return [
        {"ApplyServerSideEncryptionByDefault": r["ApplyServerSideEncryptionByDefault"]}
        for r in rules
    ]


def _versioning(s3: Any, bucket: str) -> str | None:
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    return str(status) if status else None


def versioning(s3: Any, bucket: str) -> str | None:
    return _versioning(s3, bucket)


def encryption_algorithm(s3: Any, bucket: str) -> str | None:
    rules = _encryption(s3, bucket)
    if not rules:
        return None
    return str(rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"])


def public_access_block(s3: Any, bucket: str) -> dict[str, bool] | None:
    try:
        conf = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except Exception as exc:
        if is_missing(exc):
            return None
        raise
    return {k: bool(v) for k, v in conf.items()}


def bucket_tags(s3: Any, bucket: str) -> dict[str, str] | None:
    try:
        tag_set = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    except Exception as exc:
        if is_missing(exc):
            return None
        raise
    return {t["Key"]: t["Value"] for t in tag_set}


def list_buckets(s3: Any) -> list[str]:
    return sorted(b["Name"] for b in s3.list_buckets().get("Buckets", []))


def remove_bucket(s3: Any, bucket: str) -> bool:
    """Delete every object version, delete marker and pending upload, then the bucket.
    False if there was no such bucket."""
    try:
        s3.head_bucket(Bucket=bucket)
    except Exception as exc:
        if is_missing(exc):
            return False
        raise
    versions = s3.get_paginator("list_object_versions")
    for page in versions.paginate(Bucket=bucket):
        doomed = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(doomed), 1000):
            s3.delete_objects(
                Bucket=bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True}
            )
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    for upload in uploads:
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    try:
        s3.delete_bucket_tagging(Bucket=bucket)
        s3.delete_bucket(Bucket=bucket)
    except Exception as exc:
        if error_code(exc) == "NoSuchBucket":
            return False
        raise
    return True
