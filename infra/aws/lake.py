"""The learner's lake on S3: one bucket per layer, plus query results and artifacts."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.names import BUCKET_PURPOSES, AwsNames
from lakelab.naming import QUARANTINE_RETENTION_DAYS, VERSIONED_LAYERS
from lakelab.pipeline.sources import ENTITIES


class LakeStorage(LabComponent):
    """S3 buckets with SSE, a full public access block, owner-enforced ACLs and
    force_destroy (so a cohort teardown is never blocked by data). Landing and bronze keep
    versions; every bucket aborts stale multipart uploads; query results expire."""

    buckets: dict[str, aws.s3.Bucket]

    def __init__(self, name: str, bp: Blueprint, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lakelab:aws:LakeStorage", name, bp.tags, opts)
        self.buckets = {}
        for purpose in BUCKET_PURPOSES:
            self.buckets[purpose] = self._bucket(bp, purpose)
        self.register_outputs({p: b.bucket for p, b in self.buckets.items()})

    def _bucket(self, bp: Blueprint, purpose: str) -> aws.s3.Bucket:
        bucket = aws.s3.Bucket(
            purpose,
            bucket=AwsNames.of(bp).bucket(purpose),
            force_destroy=True,
            tags={**self.tags, "layer": purpose},
            opts=self.child(),
        )
        on_bucket = self.child(parent=bucket)
        aws.s3.BucketOwnershipControls(
            f"{purpose}-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=on_bucket,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{purpose}-sse",
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"},
                    "bucket_key_enabled": True,
                }
            ],
            opts=on_bucket,
        )
        blocked = bp.access.block_public_access
        aws.s3.BucketPublicAccessBlock(
            f"{purpose}-public-access",
            bucket=bucket.id,
            block_public_acls=blocked,
            block_public_policy=blocked,
            ignore_public_acls=blocked,
            restrict_public_buckets=blocked,
            opts=on_bucket,
        )
        if purpose in VERSIONED_LAYERS:
            aws.s3.BucketVersioning(
                f"{purpose}-versioning",
                bucket=bucket.id,
                versioning_configuration={"status": "Enabled"},
                opts=on_bucket,
            )
        aws.s3.BucketLifecycleConfiguration(
            f"{purpose}-lifecycle",
            bucket=bucket.id,
            rules=_lifecycle_rules(bp, purpose),
            opts=on_bucket,
        )
        return bucket


def _lifecycle_rules(
    bp: Blueprint, purpose: str
) -> list[aws.s3.BucketLifecycleConfigurationRuleArgsDict]:
    rules: list[aws.s3.BucketLifecycleConfigurationRuleArgsDict] = [
        {
            "id": "abort-incomplete-multipart-uploads",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
        }
    ]
    if purpose == "query-results":
        rules.append(
            {
                "id": "expire-query-results",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "expiration": {"days": bp.query.results_retention_days},
            }
        )
    if purpose == "quarantine":
        # One rule per entity folder: S3 filters select by prefix and cannot exclude one, and
        # the pipeline's state under `_lakelab/` must never expire.
        rules += [
            {
                "id": f"expire-quarantine-{entity}",
                "status": "Enabled",
                "filter": {"prefix": f"{entity}/"},
                "expiration": {"days": QUARANTINE_RETENTION_DAYS},
            }
            for entity in ENTITIES
        ]
    if purpose in VERSIONED_LAYERS:
        rules.append(
            {
                "id": "expire-noncurrent-versions",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "noncurrent_version_expiration": {"noncurrent_days": 30},
            }
        )
    return rules
