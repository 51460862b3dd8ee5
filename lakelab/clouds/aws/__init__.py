"""AWS as lakelab knows it: names, access, clients, the lake, the catalog and teardown.

- `names`: every bucket, Glue, Athena, IAM and Redshift name, ARNs and URIs, and the reverse.
- `access`: the learner's and the Glue role's IAM documents, and `reach` (document -> what
  it grants).
- `clients`: boto3 clients with lakelab's one retry policy.
- `lake`, `fs`, `catalog`: the learner's S3 lake, `s3://` for DuckDB, the Glue catalog.
- `teardown`: the tag sweep that finds and deletes what a cohort left.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.concepts import CONCEPTS
from lakelab.clouds.aws.names import BUCKET_PURPOSES, AwsNames
from lakelab.naming import Names
from lakelab.profile import LearnerProfile
from lakelab.regions import AWS_REGIONS, Cloud

if TYPE_CHECKING:
    import fsspec

    from lakelab.catalog import TableSpec
    from lakelab.clouds.acceptance import Acceptance
    from lakelab.clouds.target import Lake, PlanLike
    from lakelab.cohort.sweep import SweepReport
    from lakelab.lakefs import ByteCounter


class AwsTarget:
    name: Final[Cloud] = "aws"
    title: Final = "AWS"
    regions: Final = AWS_REGIONS
    region_config_key: Final = "aws:region"
    default_region: Final = "us-east-1"
    concepts: Final = CONCEPTS
    query_engine: Final = "athena"
    # Athena engine v3 is Trino; Synapse serverless SQL speaks T-SQL.
    pipeline_kind: Final = "Glue workflow"
    query_title: Final = "Athena"
    workgroup_kind: Final = "workgroup"
    sql_dialect: Final = "athena"
    location_kind: Final = "BUCKET"
    purposes: Final = BUCKET_PURPOSES
    # The lab creates the learner's IAM user or role itself.
    principal: Final = None

    def physical_names(self, names: Names) -> list[tuple[str, str]]:
        return AwsNames(names.cohort, names.learner, names.seed).all_names()

    def stand_in_access(self) -> dict[str, str]:
        return {}

    def locations(self, bp: Blueprint) -> dict[str, str]:
        return AwsNames.of(bp).buckets()

    def databases(self, bp: Blueprint) -> dict[str, str]:
        return AwsNames.of(bp).glue_databases()

    def plan_identity(self, plan: PlanLike) -> tuple[dict[str, Any], tuple[str, str]]:
        from lakelab.clouds.aws.access import reach

        policies = [
            r
            for r in plan.resources
            if r.type in ("aws:iam/userPolicy:UserPolicy", "aws:iam/rolePolicy:RolePolicy")
            and r.name == "learner-policy"
        ]
        buckets: set[str] = set()
        databases: set[str] = set()
        for r in policies:
            granted = reach(json.loads(r.inputs["policy"]))
            buckets |= granted.buckets
            databases |= granted.databases
        identity = {
            "name": plan.outputs["identity"]["name"],
            "storage": sorted(buckets),
            "catalogs": sorted(databases),
        }
        return identity, ("aws:iam/user:User", "learner")

    def sdk_env(self, profile: LearnerProfile) -> dict[str, str]:
        env = {"AWS_ENDPOINT_URL": profile.endpoint} if profile.endpoint else {}
        return env | {
            "AWS_ACCESS_KEY_ID": profile.key_id,
            "AWS_SECRET_ACCESS_KEY": profile.secret,
            "AWS_REGION": profile.region,
            "AWS_DEFAULT_REGION": profile.region,
        }

    def credentials_from_env(self, env: Mapping[str, str]) -> dict[str, Any]:
        return {
            "endpoint": env.get("AWS_ENDPOINT_URL") or None,
            "key_id": env.get("AWS_ACCESS_KEY_ID", ""),
            "secret": env.get("AWS_SECRET_ACCESS_KEY", ""),
            "region": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        }

    def lake(self, profile: LearnerProfile) -> Lake:
        from lakelab.clouds.aws.lake import S3Lake

        return S3Lake(profile)

    def filesystem(
        self, profile: LearnerProfile, counter: ByteCounter
    ) -> fsspec.AbstractFileSystem:
        from lakelab.clouds.aws.fs import s3_filesystem

        return s3_filesystem(profile, counter)

    def register_tables(self, profile: LearnerProfile, specs: list[TableSpec]) -> int:
        from lakelab.clouds.aws.catalog import register_glue

        return register_glue(profile, specs)

    def catalog_tables(self, profile: LearnerProfile) -> list[TableSpec]:
        from lakelab.clouds.aws.catalog import glue_tables

        return glue_tables(profile)

    def account_warnings(self, bps: Sequence[Blueprint]) -> list[str]:
        from lakelab.clouds.aws.billing import account_warnings

        return account_warnings() if bps else []

    def plan_notes(self, bp: Blueprint) -> list[str]:
        notes = [
            "the learner's budget sees spend once the cohort and learner tags are active"
            " cost-allocation tags of the account (`lakelab cohort up` checks; docs/cloud-aws.md)"
        ]
        if bp.warehouse.mode == "serverless" and not bp.warehouse.subnet_ids:
            notes.append(
                "the Redshift Serverless workgroup goes into the account's default VPC (no"
                " warehouse.subnetIds): `pulumi up` fails in an account that has none"
            )
        return notes

    def sweep(self, cohort: str, regions: set[str], learners: set[str] | None) -> SweepReport:
        from lakelab.clouds.aws.teardown import AwsSweep

        return AwsSweep(cohort, regions, learners).run()

    def acceptance(self, bp: Blueprint, outputs: Mapping[str, Any]) -> Acceptance:
        from lakelab.clouds.aws.acceptance import AwsAcceptance

        return AwsAcceptance(outputs, bp.region)


TARGET: Final = AwsTarget()
