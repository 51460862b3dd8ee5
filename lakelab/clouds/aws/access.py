"""Least-privilege access for a learner, as data.

The AWS policy documents built here are attached by the Pulumi program (infra/aws) and by the
local twin (localcloud) to the learner's identity, so the cloud and the twin enforce the same
document. No statement uses a bare `*` resource: every resource is one of the learner's own
buckets, catalog databases, jobs, workgroups or warehouses. Object and table ARNs end in `/*`
only below a resource the learner owns (their bucket, their database).

`reach` reads a document back: which of a learner's resources it grants, so the twin, the
policy pack and the tests can check a policy by what it reaches rather than by its text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.names import AwsNames, bucket_arn, glue_arn

PolicyDocument = dict[str, Any]

# AWS's managed policy that lets an IAM user change their own password (iam:ChangePassword on
# their own user, iam:GetAccountPasswordPolicy). A login profile with a required reset needs
# it, and attaching it keeps the learner's own document free of `*` resources.
# https://docs.aws.amazon.com/aws-managed-policy/latest/reference/IAMUserChangePassword.html
CHANGE_OWN_PASSWORD_POLICY_ARN: Final = "arn:aws:iam::aws:policy/IAMUserChangePassword"
# The generated initial password's length (the provider's default; IAM allows 6 to 128).
INITIAL_PASSWORD_LENGTH: Final = 20


def console_sign_in_url(account: str) -> str:
    """An IAM user's sign-in page for the account.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/console.html"""
    return f"https://{account}.signin.aws.amazon.com/console"


def learner_buckets(bp: Blueprint) -> list[str]:
    """Every bucket the learner may use: one per layer, query results and artifacts."""
    return list(AwsNames.of(bp).buckets().values())


def _s3_statements(buckets: Sequence[str], sid: str, *, write: bool) -> list[dict[str, Any]]:
    object_actions = ["s3:GetObject", "s3:GetObjectVersion"]
    if write:
        object_actions += ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    return [
        {
            "Sid": f"{sid}Buckets",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation"],
            "Resource": [bucket_arn(b) for b in buckets],
        },
        {
            "Sid": f"{sid}Objects",
            "Effect": "Allow",
            "Action": object_actions,
            "Resource": [f"{bucket_arn(b)}/*" for b in buckets],
        },
    ]


GLUE_CATALOG_READ: Final = (
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
    # dbt-athena reads a table's versions after each model and deletes the old ones
    # (`expire_glue_table_versions`); the resource types are catalog, database and table
    # (Service Authorization Reference, AWS Glue).
    "glue:GetTableVersion",
    "glue:GetTableVersions",
)


def _glue_catalog_statement(
    bp: Blueprint, account: str, *, sid: str, write: bool = True
) -> dict[str, Any]:
    arn = glue_arn(bp.region, account)
    databases = list(AwsNames.of(bp).glue_databases().values())
    writes = [
        "glue:CreateTable",
        "glue:UpdateTable",
        "glue:DeleteTable",
        "glue:CreatePartition",
        "glue:BatchCreatePartition",
        "glue:UpdatePartition",
        "glue:DeletePartition",
        "glue:BatchDeletePartition",
        "glue:DeleteTableVersion",
        "glue:BatchDeleteTableVersion",
    ]
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": [*GLUE_CATALOG_READ, *(writes if write else [])],
        "Resource": [f"{arn}:catalog"]
        + [f"{arn}:database/{db}" for db in databases]
        + [f"{arn}:table/{db}/*" for db in databases],
    }


def aws_learner_policy(
    bp: Blueprint, account: str, warehouse_arns: Sequence[str] = ()
) -> PolicyDocument:
    """The learner identity's policy: their lake, catalog, jobs, workgroup and warehouse.

    `warehouse_arns` are the Redshift Serverless workgroup/namespace ARNs, which AWS makes
    up at creation time (they carry a generated id), so the program passes them in.
    """
    n = AwsNames.of(bp)
    arn = glue_arn(bp.region, account)
    statements = _s3_statements(learner_buckets(bp), "Lake", write=True)
    statements.append(_glue_catalog_statement(bp, account, sid="Catalog"))
    statements.append(
        {
            "Sid": "Jobs",
            "Effect": "Allow",
            "Action": [
                "glue:StartJobRun",
                "glue:GetJob",
                "glue:GetJobRun",
                "glue:GetJobRuns",
                "glue:StartWorkflowRun",
                "glue:GetWorkflow",
                "glue:GetWorkflowRun",
                "glue:GetWorkflowRuns",
            ],
            "Resource": [f"{arn}:job/{job}" for job in n.glue_jobs()]
            + [f"{arn}:workflow/{n.glue_workflow}"],
        }
    )
    statements.append(_athena_statement(bp, account))
    warehouse = _warehouse_statement(bp, account, warehouse_arns)
    if warehouse:
        statements.append(warehouse)
        results = _warehouse_results_statement(bp)
        if results:
            statements.append(results)
    return {"Version": "2012-10-17", "Statement": statements}


def _athena_statement(bp: Blueprint, account: str) -> dict[str, Any]:
    """Queries in the learner's own workgroup (the learner's, and the dbt job's on Glue)."""
    workgroup = AwsNames.of(bp).athena_workgroup
    return {
        "Sid": "Query",
        "Effect": "Allow",
        "Action": [
            "athena:StartQueryExecution",
            "athena:StopQueryExecution",
            "athena:GetQueryExecution",
            "athena:GetQueryResults",
            "athena:ListQueryExecutions",
            "athena:GetWorkGroup",
        ],
        "Resource": [f"arn:aws:athena:{bp.region}:{account}:workgroup/{workgroup}"],
    }


def _warehouse_statement(
    bp: Blueprint, account: str, warehouse_arns: Sequence[str]
) -> dict[str, Any] | None:
    mode = bp.warehouse.mode
    if mode == "serverless" and warehouse_arns:
        return {
            "Sid": "Warehouse",
            "Effect": "Allow",
            "Action": [
                "redshift-serverless:GetCredentials",
                "redshift-serverless:GetWorkgroup",
                "redshift-serverless:GetNamespace",
                "redshift-data:ExecuteStatement",
                "redshift-data:BatchExecuteStatement",
            ],
            "Resource": list(warehouse_arns),
        }

    if mode == "provisioned":
        cluster = AwsNames.of(bp).redshift_cluster
        base = f"arn:aws:redshift:{bp.region}:{account}"
        return {
            "Sid": "Warehouse",
            "Effect": "Allow",
            "Action": ["redshift:GetClusterCredentials", "redshift:DescribeClusters"],
            "Resource": [
                f"{base}:cluster:{cluster}",
                f"{base}:dbuser:{cluster}/{bp.learner.replace('-', '_')}",
                f"{base}:dbname:{cluster}/lab",
            ],
        }
    return None


def _warehouse_results_statement(bp: Blueprint) -> dict[str, Any] | None:
    """Reading back what the learner's own Data API statements return. These actions have no
    resource types (Service Authorization Reference, Amazon Redshift Data API); the condition
    key limits them to statements the caller ran."""
    if bp.warehouse.mode != "serverless":
        return None
    return {
        "Sid": "WarehouseResults",
        "Effect": "Allow",
        "Action": sorted(DATA_API_STATEMENT_ACTIONS),
        "Resource": "*",
        "Condition": {
            "StringEquals": {"redshift-data:statement-owner-iam-userid": "${aws:userid}"}
        },
    }


# Actions that take no resource ARN (Service Authorization Reference: no resource types),
# which a statement can narrow only by a condition key.
DATA_API_STATEMENT_ACTIONS: Final = frozenset(
    {
        "redshift-data:DescribeStatement",
        "redshift-data:GetStatementResult",
        "redshift-data:CancelStatement",
        "redshift-data:ListStatements",
    }
)
NO_RESOURCE_ACTIONS: Final = frozenset({"cloudwatch:PutMetricData"}) | DATA_API_STATEMENT_ACTIONS
GLUE_METRICS_NAMESPACE: Final = "Glue"


def glue_role_policy(bp: Blueprint, account: str) -> PolicyDocument:
    """The Glue service role: read landing and artifacts, write the medallion layers, use
    the learner's catalog databases, and log to Glue's own log groups."""
    statements = _s3_statements(learner_buckets(bp), "Lake", write=True)
    statements.append(_glue_catalog_statement(bp, account, sid="Catalog"))
    statements.append(
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [
                f"arn:aws:logs:{bp.region}:{account}:log-group:/aws-glue/*",
            ],
        }
    )
    # The dbt step (`dbt build --target athena`) queries the learner's workgroup.
    statements.append(_athena_statement(bp, account))
    # `--enable-metrics` publishes job metrics to CloudWatch's "Glue" namespace.
    # PutMetricData has no resource types (Service Authorization Reference, Amazon
    # CloudWatch), so the statement names `*` and is scoped by the namespace condition.
    statements.append(
        {
            "Sid": "Metrics",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": GLUE_METRICS_NAMESPACE}},
        }
    )
    return {"Version": "2012-10-17", "Statement": statements}


def warehouse_role_policy(bp: Blueprint, account: str) -> PolicyDocument:
    """The Redshift namespace's role, for `create external schema ... from data catalog`
    (Redshift Spectrum): read the learner's lake and their catalog databases, nothing else."""
    statements = _s3_statements(learner_buckets(bp), "Lake", write=False)
    statements.append(_glue_catalog_statement(bp, account, sid="Catalog", write=False))
    return {"Version": "2012-10-17", "Statement": statements}


# Redshift Serverless assumes a namespace's role as either service principal.
WAREHOUSE_ROLE_PRINCIPALS: Final = ("redshift.amazonaws.com", "redshift-serverless.amazonaws.com")


def assume_role_policy(principal: dict[str, str | list[str]]) -> PolicyDocument:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
    }


def _scoped_without_resources(statement: dict[str, Any]) -> bool:
    """A statement of actions that have no resource types, narrowed by a condition instead:
    `*` is the only resource IAM accepts for them."""
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    return (
        bool(actions) and set(actions) <= NO_RESOURCE_ACTIONS and bool(statement.get("Condition"))
    )


def wildcard_resources(document: PolicyDocument) -> list[str]:
    """Resources in an IAM document that reach beyond one learner: `*`, or a whole service
    (an ARN whose resource part is `*`). Used by the policy pack and the tests. A statement
    of actions without resource types that a condition narrows is not counted."""
    found: list[str] = []
    for statement in document.get("Statement", []):
        if _scoped_without_resources(statement):
            continue
        resources = statement.get("Resource", [])
        for resource in [resources] if isinstance(resources, str) else resources:
            tail = resource.split(":", 5)[-1] if resource.startswith("arn:") else resource
            if resource == "*" or tail in ("*", "") or tail.startswith("*"):
                found.append(resource)
    return found


@dataclass(frozen=True)
class Reach:
    """What a policy document grants, read back from it."""

    buckets: frozenset[str]
    writable_buckets: frozenset[str]
    databases: frozenset[str]
    workgroups: frozenset[str]
    actions: frozenset[str]


def reach(document: PolicyDocument) -> Reach:
    """The buckets, catalog databases and workgroups an IAM document grants, and its actions."""
    buckets: set[str] = set()
    writable: set[str] = set()
    databases: set[str] = set()
    workgroups: set[str] = set()
    actions: set[str] = set()
    for statement in document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        granted = statement.get("Action", [])
        granted = [granted] if isinstance(granted, str) else list(granted)
        actions.update(granted)
        resources = statement.get("Resource", [])
        for resource in [resources] if isinstance(resources, str) else resources:
            if resource.startswith("arn:aws:s3:::"):
                bucket = resource.removeprefix("arn:aws:s3:::").split("/", 1)[0]
                buckets.add(bucket)
                if "s3:PutObject" in granted:
                    writable.add(bucket)
            elif ":database/" in resource:
                databases.add(resource.rsplit("/", 1)[1])
            elif ":workgroup/" in resource and resource.startswith("arn:aws:athena:"):
                workgroups.add(resource.rsplit("/", 1)[1])
    return Reach(
        frozenset(buckets),
        frozenset(writable),
        frozenset(databases),
        frozenset(workgroups),
        frozenset(actions),
    )
