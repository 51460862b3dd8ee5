"""The lakelab CrossGuard rules: guardrails every learner stack must pass.

All rules are mandatory. Each validates the engine's view of a resource (camelCase
properties), so the same functions run inside `pulumi preview --policy-pack policies` and
offline against `lakelab plan` (`lakelab policy check`). During a real preview some values
are still unknown; rules only judge values that are known.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from lakelab.clouds.aws.access import wildcard_resources

Report = Callable[[str, str | None], None]

REQUIRED_TAGS: Final = ("cohort", "learner", "course", "expires", "managed-by")
# Resource types that accept tags. A test checks this list against the SDKs' argument lists.
TAGGABLE_TYPES: Final = frozenset(
    {
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "aws:glue/catalogDatabase:CatalogDatabase",
        "aws:glue/crawler:Crawler",
        "aws:glue/job:Job",
        "aws:glue/workflow:Workflow",
        "aws:glue/trigger:Trigger",
        "aws:athena/workgroup:Workgroup",
        "aws:redshiftserverless/namespace:Namespace",
        "aws:redshiftserverless/workgroup:Workgroup",
        "aws:redshift/cluster:Cluster",
        "aws:iam/user:User",
        "aws:iam/role:Role",
        "aws:budgets/budget:Budget",
        "azure-native:resources:ResourceGroup",
        "azure-native:storage:StorageAccount",
        "azure-native:datafactory:Factory",
        "azure-native:synapse:Workspace",
        "azure-native:synapse:BigDataPool",
        "azure-native:synapse:SqlPool",
    }
)

MAX_SERVERLESS_RPU: Final = 8
REDSHIFT_NODE_TYPES: Final = frozenset({"ra3.large", "ra3.xlplus"})
MAX_REDSHIFT_NODES: Final = 2
MAX_DEDICATED_DWU: Final = 100
MAX_SPARK_AUTO_PAUSE_MINUTES: Final = 15
MAX_GLUE_WORKERS: Final = 4
GLUE_WORKER_TYPES: Final = frozenset({"G.025X", "G.1X"})
MAX_ATHENA_CUTOFF_BYTES: Final = 10 * 1024**3

BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_SSE = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
SQL_POOL = "azure-native:synapse:SqlPool"
PAUSE_COMMAND_PATTERN = re.compile(r"az synapse sql pool pause")


def _num(value: Any) -> str:
    """Numbers reach policies as floats (protobuf); show 32, not 32.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- resource rules ---------------------------------------------------------------------------
def required_tags(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type not in TAGGABLE_TYPES:
        return
    tags = args.props.get("tags") or {}
    missing = [t for t in REQUIRED_TAGS if not tags.get(t)]
    if missing:
        report(f"{args.name}: missing required tags {', '.join(missing)}", args.urn)


def no_public_storage(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == PUBLIC_ACCESS_BLOCK:
        flags = (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
        off = [f for f in flags if p.get(f) is not True]
        if off:
            report(f"{args.name}: public access block must set {', '.join(off)} to true", args.urn)
    elif args.resource_type == BUCKET and p.get("acl") in ("public-read", "public-read-write"):
        report(f"{args.name}: bucket ACL {p['acl']} makes objects public", args.urn)
    elif args.resource_type == "azure-native:storage:StorageAccount":
        if p.get("allowBlobPublicAccess") is not False:
            report(f"{args.name}: allowBlobPublicAccess must be false", args.urn)
    elif args.resource_type == "azure-native:storage:BlobContainer" and p.get(
        "publicAccess"
    ) not in (None, "None"):
        report(f"{args.name}: container public access is {p['publicAccess']}", args.urn)


def encryption_at_rest(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == "azure-native:storage:StorageAccount":
        blob = ((p.get("encryption") or {}).get("services") or {}).get("blob") or {}
        if blob.get("enabled") is not True:
            report(f"{args.name}: blob encryption at rest must be enabled", args.urn)
        if p.get("enableHttpsTrafficOnly") is not True or p.get("minimumTlsVersion") != "TLS1_2":
            report(f"{args.name}: storage must require HTTPS and TLS 1.2", args.urn)
    elif (
        args.resource_type == "aws:redshift/cluster:Cluster"
        and str(p.get("encrypted")).lower() != "true"
    ):
        report(f"{args.name}: Redshift cluster must be encrypted", args.urn)
    elif args.resource_type == BUCKET_SSE:
        rules = p.get("rules") or []
        algorithms = [
            (r.get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm") for r in rules
        ]
        if not any(a in ("AES256", "aws:kms", "aws:kms:dsse") for a in algorithms):
            report(f"{args.name}: no default server-side encryption algorithm", args.urn)


def athena_guardrails(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != "aws:athena/workgroup:Workgroup":
        return
    conf = args.props.get("configuration") or {}
    if conf.get("enforceWorkgroupConfiguration") is not True:
        report(f"{args.name}: workgroup configuration must be enforced", args.urn)
    result = conf.get("resultConfiguration") or {}
    if not result.get("outputLocation"):
        report(f"{args.name}: no enforced query result location", args.urn)
    if not (result.get("encryptionConfiguration") or {}).get("encryptionOption"):
        report(f"{args.name}: query results must be encrypted", args.urn)
    cutoff = conf.get("bytesScannedCutoffPerQuery")
    if cutoff is None or not 0 < cutoff <= MAX_ATHENA_CUTOFF_BYTES:
        report(
            f"{args.name}: per-query scan cutoff must be set and at most"
            f" {MAX_ATHENA_CUTOFF_BYTES // 1024**3} GB (got {_num(cutoff)})",
            args.urn,
        )


def warehouse_size(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == "aws:redshiftserverless/workgroup:Workgroup":
        base = p.get("baseCapacity")
        if isinstance(base, int | float) and base > MAX_SERVERLESS_RPU:
            report(
                f"{args.name}: Redshift Serverless base capacity {_num(base)} RPU is above"
                f" {MAX_SERVERLESS_RPU} RPU",
                args.urn,
            )
    elif args.resource_type == "aws:redshift/cluster:Cluster":
        node = p.get("nodeType")
        if node not in REDSHIFT_NODE_TYPES:
            allowed = ", ".join(sorted(REDSHIFT_NODE_TYPES))
            report(f"{args.name}: node type {node} is not allowed (allowed: {allowed})", args.urn)
        if (p.get("numberOfNodes") or 1) > MAX_REDSHIFT_NODES:
            report(f"{args.name}: more than {MAX_REDSHIFT_NODES} Redshift nodes", args.urn)


def synapse_dedicated_pool(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != SQL_POOL:
        return
    sku = str((args.props.get("sku") or {}).get("name", ""))
    match = re.fullmatch(r"DW(\d+)c", sku)
    if not match or int(match.group(1)) > MAX_DEDICATED_DWU:
        report(
            f"{args.name}: dedicated SQL pool {sku or '?'} is above DW{MAX_DEDICATED_DWU}c",
            args.urn,
        )


def spark_auto_pause(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != "azure-native:synapse:BigDataPool":
        return
    pause = args.props.get("autoPause") or {}
    delay = pause.get("delayInMinutes")
    if pause.get("enabled") is not True or not delay or delay > MAX_SPARK_AUTO_PAUSE_MINUTES:
        report(
            f"{args.name}: Spark pool must auto-pause within {MAX_SPARK_AUTO_PAUSE_MINUTES}"
            f" minutes (enabled={pause.get('enabled')}, delay={_num(delay)})",
            args.urn,
        )


def glue_workers(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != "aws:glue/job:Job":
        return
    p = args.props
    workers, worker_type = p.get("numberOfWorkers"), p.get("workerType")
    if p.get("maxCapacity") is not None or not workers or workers > MAX_GLUE_WORKERS:
        report(
            f"{args.name}: Glue jobs take at most {MAX_GLUE_WORKERS} workers (got {_num(workers)})",
            args.urn,
        )
    if worker_type not in GLUE_WORKER_TYPES:
        report(f"{args.name}: Glue worker type {worker_type} is not allowed", args.urn)


def buckets_force_destroy(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type == BUCKET and args.props.get("forceDestroy") is not True:
        report(f"{args.name}: bucket must set forceDestroy so teardown is never blocked", args.urn)


def learner_iam_no_wildcards(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type not in ("aws:iam/userPolicy:UserPolicy", "aws:iam/rolePolicy:RolePolicy"):
        return
    policy = args.props.get("policy")
    if not isinstance(policy, str):
        return  # unknown until apply
    found = wildcard_resources(json.loads(policy))
    if found:
        report(
            f"{args.name}: policy grants wildcard resources {', '.join(sorted(set(found)))}",
            args.urn,
        )


# --- stack rules ------------------------------------------------------------------------------
def _by_parent_bucket(args: StackValidationArgs, type_: str) -> set[str]:
    return {
        r.parent.urn for r in args.resources if r.resource_type == type_ and r.parent is not None
    }


def every_bucket_guarded(args: StackValidationArgs, report: Report) -> None:
    """Every bucket has its own public access block and default encryption."""
    blocked = _by_parent_bucket(args, PUBLIC_ACCESS_BLOCK)
    encrypted = _by_parent_bucket(args, BUCKET_SSE)
    for r in args.resources:
        if r.resource_type != BUCKET:
            continue
        if r.urn not in blocked:
            report(f"{r.name}: bucket has no public access block", r.urn)
        if r.urn not in encrypted:
            report(f"{r.name}: bucket has no server-side encryption configuration", r.urn)


def budget_present(args: StackValidationArgs, report: Report) -> None:
    budgets = ("aws:budgets/budget:Budget", "azure-native:consumption:Budget")
    if not any(r.resource_type in budgets for r in args.resources):
        report("the stack has no budget for the learner", None)


def dedicated_pool_created_paused(args: StackValidationArgs, report: Report) -> None:
    pausers = {
        r.parent.urn
        for r in args.resources
        if r.resource_type == "command:local:Command"
        and r.parent is not None
        and PAUSE_COMMAND_PATTERN.search(str(r.props.get("create", "")))
    }
    for r in args.resources:
        if r.resource_type == SQL_POOL and r.urn not in pausers:
            report(f"{r.name}: dedicated SQL pool is not paused after creation", r.urn)


def _resource(name: str, description: str, fn: Callable[..., None]) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=fn,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


def _stack(name: str, description: str, fn: Callable[..., None]) -> StackValidationPolicy:
    return StackValidationPolicy(
        name=name,
        description=description,
        validate=fn,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


RESOURCE_POLICIES: Final = [
    _resource(
        "required-tags",
        "Taggable resources carry cohort, learner, course, expires, managed-by.",
        required_tags,
    ),
    _resource("no-public-storage", "No public S3 buckets, blobs or containers.", no_public_storage),
    _resource(
        "encryption-at-rest", "Storage and warehouses are encrypted at rest.", encryption_at_rest
    ),
    _resource(
        "athena-guardrails",
        "Athena workgroups enforce result location, encryption and a scan cutoff.",
        athena_guardrails,
    ),
    _resource(
        "warehouse-size",
        f"Redshift Serverless <= {MAX_SERVERLESS_RPU} RPU; provisioned node types allow-listed.",
        warehouse_size,
    ),
    _resource(
        "synapse-dedicated-pool-size",
        f"Synapse dedicated pools at most DW{MAX_DEDICATED_DWU}c.",
        synapse_dedicated_pool,
    ),
    _resource("spark-auto-pause", "Synapse Spark pools auto-pause.", spark_auto_pause),
    _resource(
        "glue-workers-capped",
        f"Glue jobs use at most {MAX_GLUE_WORKERS} small workers.",
        glue_workers,
    ),
    _resource(
        "buckets-force-destroy",
        "Buckets set force_destroy so teardown is never blocked.",
        buckets_force_destroy,
    ),
    _resource(
        "learner-iam-no-wildcards",
        "Learner and service IAM policies name only the learner's resources.",
        learner_iam_no_wildcards,
    ),
]
STACK_POLICIES: Final = [
    _stack(
        "bucket-guards-present",
        "Every bucket has a public access block and default encryption.",
        every_bucket_guarded,
    ),
    _stack("budget-present", "Every learner stack has a budget.", budget_present),
    _stack(
        "dedicated-pool-created-paused",
        "Dedicated SQL pools are paused as soon as they are created.",
        dedicated_pool_created_paused,
    ),
]
ALL_POLICIES: Final = [*RESOURCE_POLICIES, *STACK_POLICIES]


def policy_names() -> list[str]:
    return [p.name for p in ALL_POLICIES]
