"""One learner's AWS twin: provision it from the blueprint, read it back, remove it.

Provisioning creates what the cloud stack creates for the learner's lake and query path,
with the same names (`lakelab.naming.Names`) and the same policy document
(`lakelab.clouds.aws.access.aws_learner_policy`):

- a bucket per layer plus `query-results` and `artifacts`, each encrypted (SSE-S3), with
  Block Public Access and the blueprint's tags; `landing` and `bronze` versioned;
- a Glue database per catalog layer (bronze, silver, gold), and `<prefix>_dbt` for dbt's
  marts, tagged;
- the Athena workgroup, writing results to the query-results bucket, with the scan cutoff;
- the learner IAM user, tagged, with the least-privilege policy inline and one access key.

Not provisioned in the twin: Glue jobs, crawlers and workflows (moto would not run them), the
Redshift warehouse and the budget. moto still serves the Redshift and Redshift Data APIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lakelab.blueprint import Blueprint
from lakelab.clouds import profile_for
from lakelab.clouds.aws.access import aws_learner_policy, learner_buckets, reach
from lakelab.clouds.aws.clients import Target
from lakelab.clouds.aws.names import AwsNames
from lakelab.naming import DBT_DATABASE, LAKE_PURPOSES, LAYERS, VERSIONED_LAYERS
from localcloud.aws import athena, glue, iam, s3
from localcloud.state import StackRecord


def account_of(target: Target) -> str:
    return str(target.client("sts").get_caller_identity()["Account"])


def resources(bp: Blueprint) -> dict[str, list[str]]:
    n = AwsNames.of(bp)
    return {
        "buckets": learner_buckets(bp),
        "databases": list(n.glue_databases().values()),
        "workgroups": [n.athena_workgroup],
        "users": [n.iam_user],
    }


def provision(
    bp: Blueprint, admin: Target, account: str, previous: StackRecord | None
) -> StackRecord:
    """Create or update the learner's AWS twin; idempotent."""
    n = AwsNames.of(bp)
    target = admin.in_region(bp.region)
    tags = bp.tags
    description = f"lakelab {bp.stack_name}"

    s3_client = target.client("s3")
    for purpose in (*bp.layers, *LAKE_PURPOSES):
        spec = s3.BucketSpec(
            name=n.bucket(purpose),
            versioned=purpose in VERSIONED_LAYERS,
            tags=tags,
            block_public=bp.access.block_public_access,
        )
        s3.ensure_bucket(s3_client, spec, bp.region)

    glue_client = target.client("glue")
    for kind, name in n.glue_databases().items():
        arn = glue.database_arn(bp.region, account, name)
        what = "dbt marts" if kind == DBT_DATABASE else f"{kind} layer"
        glue.ensure_database(glue_client, name, tags, arn, f"{what}, {description}")

    config = athena.workgroup_config(
        f"s3://{n.bucket('query-results')}/", bp.query.scan_cutoff_mb * 1024 * 1024
    )
    wg_arn = athena.workgroup_arn(bp.region, account, n.athena_workgroup)
    athena.ensure_workgroup(
        target.client("athena"), n.athena_workgroup, config, tags, wg_arn, description
    )

    iam_client = target.client("iam")
    iam.ensure_user(iam_client, n.iam_user, tags)
    iam.ensure_policy(iam_client, n.iam_user, iam.LEARNER_POLICY, aws_learner_policy(bp, account))
    known = previous.access_key_id if previous else None
    fresh = iam.ensure_key(iam_client, n.iam_user, known)
    if fresh is None and previous is not None and previous.access_key_id:
        key_id, secret = previous.access_key_id, previous.secret
    else:
        assert fresh is not None
        key_id, secret = fresh
    return StackRecord(
        stack=bp.stack_name,
        cloud="aws",
        region=bp.region,
        cohort=bp.cohort,
        learner=bp.learner,
        identity=n.iam_user,
        access_key_id=key_id,
        secret=secret,
        resources=resources(bp),
        profile=profile_for(
            bp, endpoint=None, key_id=key_id, secret=secret, workgroup=n.athena_workgroup
        ),
    )


def remove(record: StackRecord, admin: Target, account: str) -> list[str]:
    """Delete everything of the learner's AWS twin; returns the names removed (for the
    journal). Missing pieces are skipped, so removing twice is harmless."""
    target = admin.in_region(record.region)
    res = record.resources
    s3_client = target.client("s3")
    for bucket in res.get("buckets", []):
        s3.remove_bucket(s3_client, bucket)
    glue_client = target.client("glue")
    for db in res.get("databases", []):
        glue.remove_database(glue_client, db, glue.database_arn(record.region, account, db))
    athena_client = target.client("athena")
    for wg in res.get("workgroups", []):
        athena.remove_workgroup(athena_client, wg, athena.workgroup_arn(record.region, account, wg))
    iam_client = target.client("iam")
    for user in res.get("users", []):
        iam.remove_user(iam_client, user)
    return sorted({name for names in res.values() for name in names})


def _owned(tags: dict[str, str] | None, record: StackRecord) -> bool:
    if not tags:
        return False
    return tags.get("cohort") == record.cohort and tags.get("learner") == record.learner


def _scope(documents: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(buckets, catalog databases) an identity's Allow statements reach."""
    buckets: set[str] = set()
    databases: set[str] = set()
    for document in documents.values():
        granted = reach(document)
        buckets |= granted.buckets
        databases |= granted.databases
    return sorted(buckets), sorted(databases)


@dataclass(frozen=True)
class RegionView:
    """Every bucket, catalog database and workgroup of one region, with their tags: read once
    and shared when several learners are inventoried together."""

    buckets: dict[str, dict[str, str] | None]
    databases: dict[str, dict[str, str]]
    workgroups: dict[str, dict[str, str]]

    @classmethod
    def read(cls, admin: Target, account: str, region: str) -> RegionView:
        target = admin.in_region(region)
        s3_client = target.client("s3")
        glue_client = target.client("glue")
        athena_client = target.client("athena")
        return cls(
            buckets={b: s3.bucket_tags(s3_client, b) for b in s3.list_buckets(s3_client)},
            databases={
                db: glue.database_tags(glue_client, glue.database_arn(region, account, db))
                for db in glue.list_databases(glue_client)
            },
            workgroups={
                wg: athena.workgroup_tags(athena_client, athena.workgroup_arn(region, account, wg))
                for wg in athena.list_workgroups(athena_client)
            },
        )


def missing(record: StackRecord, admin: Target) -> list[str]:
    """The recorded resources the emulator no longer has (its data was reset or deleted)."""
    target = admin.in_region(record.region)
    present = set(s3.list_buckets(target.client("s3")))
    present |= set(glue.list_databases(target.client("glue")))
    present |= set(athena.list_workgroups(target.client("athena")))
    if iam.user_tags(target.client("iam"), record.identity) is not None:
        present.add(record.identity)
    return [name for names in record.resources.values() for name in names if name not in present]


def inventory(
    record: StackRecord, admin: Target, account: str, view: RegionView | None = None
) -> dict[str, Any]:
    """The learner's AWS twin as the emulator reports it (see `localcloud.inventory`)."""
    view = view or RegionView.read(admin, account, record.region)
    owned = {b: t for b, t in view.buckets.items() if t is not None and _owned(t, record)}
    purpose_of = {b: p for p, b in (record.profile.locations if record.profile else {}).items()}
    found = {purpose_of[b]: b for b in sorted(owned) if b in purpose_of}
    layers = {layer: found[layer] for layer in LAYERS if layer in found}
    catalogs = sorted(db for db, t in view.databases.items() if _owned(t, record))
    workgroups = sorted(wg for wg, t in view.workgroups.items() if _owned(t, record))

    iam_client = admin.in_region(record.region).client("iam")
    user_tags = iam.user_tags(iam_client, record.identity)
    documents = iam.user_policies(iam_client, record.identity) if user_tags is not None else {}
    storage, reachable_catalogs = _scope(documents)

    tag_sources = list(owned.values())
    tag_sources += [view.databases[db] for db in catalogs]
    tag_sources += [view.workgroups[wg] for wg in workgroups]
    tag_sources.append(user_tags or {})
    common = dict(tag_sources[0]) if tag_sources else {}
    for tags in tag_sources[1:]:
        common = {k: v for k, v in common.items() if tags.get(k) == v}

    return {
        "stack": record.stack,
        "cloud": "aws",
        "layers": layers,
        "catalogs": catalogs,
        "workgroup": ",".join(workgroups),
        "identity": {
            "name": record.identity if user_tags is not None else "",
            "storage": storage,
            "catalogs": reachable_catalogs,
        },
        "tags": common,
    }
