"""Every policy of the CrossGuard pack: a resource that violates it and one that passes.

Plans come from the real program run from a stack config under the mock runtime (the Pulumi
engine cannot run here). Resources the program never declares (bucket policies, ACLs, an
untagged resource) are declared with the real SDK beside it, in the same run. Only where
neither can produce the violation (encryption switched off, a pause step removed) is a demo
plan altered, and those tests say so.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from policy_harness import (
    AWS_METRICS_MESSAGE,
    PRINCIPAL,
    altered,
    plan_with,
    violations,
)

from lakelab.plan import Plan
from lakelab.policy import check_plan
from policies.rules import ALL_POLICIES, TAGGABLE_TYPES, UNDECIDED

Beside = Callable[..., Plan]
AZ = {"access": {"azurePrincipalId": PRINCIPAL}}


def aws_extra(build: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    def declare(bp: Any, lab: Any) -> None:
        import pulumi

        build(bp, pulumi.ResourceOptions(parent=lab))

    return declare


# --- the demo stacks ---------------------------------------------------------------------------
def test_demo_stacks_pass_every_policy(aws_plan: Plan, azure_plan: Plan) -> None:
    assert violations(azure_plan) == {}
    assert violations(aws_plan) == {}
    assert [v for v in check_plan(aws_plan) + check_plan(azure_plan) if not v.mandatory] == []


def test_aws_budget_without_metrics_sees_no_spend(aws_plan: Plan) -> None:
    """Without `metrics`, a budget with a filter expression sees no spend; the program's own
    budget names one."""
    plain = altered(aws_plan, "aws:budgets/budget:Budget", "budget", metrics=None)
    assert violations(plain) == {"budget-sees-spend": [AWS_METRICS_MESSAGE]}
    measured = altered(aws_plan, "aws:budgets/budget:Budget", "budget", metrics="UnblendedCost")
    assert violations(measured) == {}


# --- storage ----------------------------------------------------------------------------------
def test_required_tags(beside: Beside) -> None:
    def untagged(bp: Any, opts: Any) -> None:
        import pulumi_aws as aws

        aws.glue.Workflow("stray", name="stray", opts=opts)
        aws.glue.Workflow("tagged", name="tagged", tags=bp.tags, opts=opts)

    found = violations(beside("demo-alice-aws", aws_extra(untagged)))
    assert found == {
        "required-tags": [
            "stray: missing required tags cohort, learner, course, expires, managed-by"
        ]
    }


def test_public_bucket_request_is_caught() -> None:
    found = violations(plan_with("demo-alice-aws", access={"blockPublicAccess": False}))
    assert sorted(found) == ["no-public-storage"]
    assert len(found["no-public-storage"]) == 7
    assert (
        "bronze-public-access: public access block must set blockPublicAcls, blockPublicPolicy,"
        " ignorePublicAcls, restrictPublicBuckets to true"
    ) in found["no-public-storage"]


def test_public_azure_storage_is_caught() -> None:
    plan = plan_with(
        "demo-alice-azure", access={"blockPublicAccess": False, "azurePrincipalId": PRINCIPAL}
    )
    messages = violations(plan)["no-public-storage"]
    assert "account: allowBlobPublicAccess must be false" in messages
    assert sum("container public access is Container" in m for m in messages) == 6


def test_bucket_policy_and_acl_that_open_a_bucket(beside: Beside) -> None:
    def extras(bp: Any, opts: Any) -> None:
        import pulumi_aws as aws

        public = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "world",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::ll-demo-alice-gold-f9ebc2/*",
                }
            ],
        }
        tls_only = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "tls",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": "arn:aws:s3:::ll-demo-alice-gold-f9ebc2/*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
        aws.s3.BucketPolicy("open-policy", bucket="b", policy=json.dumps(public), opts=opts)
        aws.s3.BucketPolicy("tls-policy", bucket="b", policy=json.dumps(tls_only), opts=opts)
        aws.s3.BucketAcl("open-acl", bucket="b", acl="public-read", opts=opts)
        aws.s3.BucketAcl("private-acl", bucket="b", acl="private", opts=opts)
        aws.s3.BucketAcl(
            "grant-acl",
            bucket="b",
            access_control_policy={
                "owner": {"id": "owner"},
                "grants": [
                    {
                        "permission": "READ",
                        "grantee": {
                            "type": "Group",
                            "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
                        },
                    }
                ],
            },
            opts=opts,
        )

    found = violations(beside("demo-alice-aws", aws_extra(extras)))
    assert sorted(found) == ["no-public-storage"]
    assert sorted(found["no-public-storage"]) == [
        "grant-acl: bucket ACL grants READ to http://acs.amazonaws.com/groups/global/AllUsers",
        "open-acl: bucket ACL public-read makes objects public",
        "open-policy: bucket policy allows everyone (Principal *) in statement world",
    ]


def test_bucket_without_force_destroy_or_guards(beside: Beside) -> None:
    def bucket(bp: Any, opts: Any) -> None:
        import pulumi_aws as aws

        aws.s3.Bucket("loose", bucket="loose", tags=bp.tags, opts=opts)

    found = violations(beside("demo-alice-aws", aws_extra(bucket)))
    assert found == {
        "buckets-force-destroy": [
            "loose: bucket must set forceDestroy so teardown is never blocked"
        ],
        "bucket-guards-present": [
            "loose: bucket has no public access block",
            "loose: bucket has no server-side encryption configuration",
        ],
    }


def test_unencrypted_storage(aws_plan: Plan, azure_plan: Plan) -> None:
    """The program always encrypts: these plans are the demo's with encryption taken out."""
    sse = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    assert violations(altered(aws_plan, sse, "silver-sse", rules=[])) == {
        "encryption-at-rest": ["silver-sse: no default server-side encryption algorithm"]
    }
    no_sse = copy.deepcopy(aws_plan)
    no_sse.resources = [r for r in no_sse.resources if r.name != "landing-sse"]
    assert violations(no_sse) == {
        "bucket-guards-present": ["landing: bucket has no server-side encryption configuration"]
    }
    account = azure_plan.named("azure-native:storage:StorageAccount", "account").inputs
    weak = {
        **account,
        "minimumTlsVersion": "TLS1_0",
        "encryption": {"services": {"blob": {"enabled": False}}},
    }
    assert violations(
        altered(azure_plan, "azure-native:storage:StorageAccount", "account", **weak)
    ) == {
        "encryption-at-rest": [
            "account: blob encryption at rest must be enabled",
            "account: storage must require HTTPS and TLS 1.2",
        ]
    }


# --- query and warehouse ----------------------------------------------------------------------
def test_athena_scan_cutoff_cap() -> None:
    over = plan_with("demo-alice-aws", query={"scanCutoffMb": 20 * 1024})
    assert violations(over) == {
        "athena-guardrails": [
            f"workgroup: per-query scan cutoff must be set and at most 10 GB (got {20 * 1024**3})"
        ]
    }
    assert violations(plan_with("demo-alice-aws", query={"scanCutoffMb": 10 * 1024})) == {}


def test_athena_enforcement_and_result_location(aws_plan: Plan) -> None:
    """The program always enforces: the demo plan with the configuration emptied."""
    plan = altered(
        aws_plan,
        "aws:athena/workgroup:Workgroup",
        "workgroup",
        configuration={"enforceWorkgroupConfiguration": False},
    )
    assert violations(plan)["athena-guardrails"] == [
        "workgroup: workgroup configuration must be enforced",
        "workgroup: no enforced query result location",
        "workgroup: query results must be encrypted",
        "workgroup: per-query scan cutoff must be set and at most 10 GB (got None)",
    ]


def test_serverless_base_and_weekly_rpu_hours() -> None:
    big = plan_with(
        "demo-alice-aws", warehouse={"baseCapacityRpu": 32, "usageLimitRpuHours": 10_000}
    )
    assert violations(big) == {
        "warehouse-size": [
            "workgroup: Redshift Serverless base capacity 32 RPU is above 8 RPU",
            "workgroup: Redshift Serverless max capacity 32 RPU is above 16 RPU",
            "usage-limit: usage limit of 10000 RPU-hours weekly is above 48 RPU-hours a week",
        ]
    }
    ok = plan_with("demo-alice-aws", warehouse={"baseCapacityRpu": 8, "usageLimitRpuHours": 48})
    assert violations(ok) == {}


def test_max_capacity_far_above_base_and_missing_usage_limit(beside: Beside) -> None:
    def workgroup(bp: Any, opts: Any) -> None:
        import pulumi_aws as aws

        aws.redshiftserverless.Workgroup(
            "burst",
            workgroup_name="burst",
            namespace_name="ns",
            base_capacity=8,
            max_capacity=512,
            tags=bp.tags,
            opts=opts,
        )

    found = violations(beside("demo-alice-aws", aws_extra(workgroup)))
    assert found == {
        "warehouse-size": ["burst: Redshift Serverless max capacity 512 RPU is above 16 RPU"],
        "serverless-usage-limited": ["burst: Redshift Serverless workgroup has no usage limit"],
    }


def test_usage_limit_that_only_logs(aws_plan: Plan) -> None:
    """The program always deactivates: the demo plan's usage limit set to log only."""
    plan = altered(
        aws_plan,
        "aws:redshiftserverless/usageLimit:UsageLimit",
        "usage-limit",
        breachAction="log",
        period="daily",
        amount=10,
    )
    assert violations(plan) == {
        "warehouse-size": [
            "usage-limit: usage limit of 10 RPU-hours daily is above 48 RPU-hours a week",
            "usage-limit: a usage limit must deactivate the workgroup when reached"
            " (breachAction is log)",
        ]
    }


def test_provisioned_cluster_caps() -> None:
    found = violations(
        plan_with(
            "demo-alice-aws",
            warehouse={"mode": "provisioned", "nodeType": "dc2.8xlarge", "nodeCount": 4},
        )
    )
    assert found == {
        "warehouse-size": [
            "cluster: node type dc2.8xlarge is not allowed (allowed: ra3.large, ra3.xlplus)",
            "cluster: more than 2 Redshift nodes",
        ]
    }
    ok = plan_with("demo-alice-aws", warehouse={"mode": "provisioned", "nodeType": "ra3.xlplus"})
    assert violations(ok) == {}
    assert ok.named("aws:redshift/cluster:Cluster", "cluster").inputs["encrypted"] == "true"


def test_dedicated_pool_size_and_pause() -> None:
    big = plan_with(
        "demo-alice-azure", warehouse={"mode": "provisioned", "dedicatedSku": "DW1000c"}, **AZ
    )
    assert violations(big) == {
        "synapse-dedicated-pool-size": [
            "dedicated-pool: dedicated SQL pool DW1000c is above DW100c"
        ]
    }
    small = plan_with("demo-alice-azure", warehouse={"mode": "provisioned"}, **AZ)
    assert violations(small) == {}
    # The program always pauses: the plan with the pause step taken out.
    unpaused = copy.deepcopy(small)
    unpaused.resources = [r for r in unpaused.resources if r.name != "pause-dedicated-pool"]
    assert violations(unpaused) == {
        "dedicated-pool-created-paused": [
            "dedicated-pool: dedicated SQL pool is not paused after creation"
        ]
    }


# --- Spark and Glue ---------------------------------------------------------------------------
def test_large_spark_pool_is_caught_even_when_it_auto_pauses() -> None:
    plan = plan_with("demo-alice-azure", spark={"maxNodes": 50, "autoPauseMinutes": 5}, **AZ)
    assert violations(plan) == {
        "spark-pool-size": ["spark-pool: Spark pool of up to 50 nodes is above 10 nodes"]
    }
    large = plan_with("demo-alice-azure", spark={"nodeSize": "Large"}, **AZ)
    assert violations(large) == {
        "spark-pool-size": [
            "spark-pool: Spark pool node size Large is not allowed (allowed: Small, Medium)"
        ]
    }
    ok = plan_with("demo-alice-azure", spark={"maxNodes": 10, "nodeSize": "Medium"}, **AZ)
    assert violations(ok) == {}


def test_spark_pool_must_auto_pause_quickly() -> None:
    plan = plan_with("demo-alice-azure", spark={"autoPauseMinutes": 60}, **AZ)
    assert violations(plan) == {
        "spark-auto-pause": [
            "spark-pool: Spark pool must auto-pause within 15 minutes (enabled=True, delay=60)"
        ]
    }
    assert violations(plan_with("demo-alice-azure", spark={"autoPauseMinutes": 15}, **AZ)) == {}


def test_glue_workers_are_capped() -> None:
    found = violations(
        plan_with("demo-alice-aws", spark={"glueWorkers": 10, "glueWorkerType": "G.4X"})
    )
    assert sorted(found) == ["glue-workers-capped"]
    assert len(found["glue-workers-capped"]) == 6
    assert "bronze-job: Glue jobs take at most 4 workers (got 10)" in found["glue-workers-capped"]
    assert "gold-job: Glue worker type G.4X is not allowed" in found["glue-workers-capped"]
    ok = plan_with("demo-alice-aws", spark={"glueWorkers": 4, "glueWorkerType": "G.1X"})
    assert violations(ok) == {}


# --- budgets and expiry -----------------------------------------------------------------------
@pytest.mark.parametrize("stack", ["demo-alice-aws", "demo-alice-azure"])
def test_learner_budget_ceiling(stack: str) -> None:
    over = plan_with(stack, budgetUsd=9999, **AZ)
    assert violations(over) == {
        "budget-limit": ["budget: budget of 9999 USD is above the 100 USD a learner may have"]
    }
    assert violations(plan_with(stack, budgetUsd=100, **AZ)) == {}


def test_azure_budget_that_sees_no_spend(beside: Beside) -> None:
    def budgets(bp: Any, lab: Any) -> None:
        import pulumi
        import pulumi_azure_native.consumption as consumption

        opts = pulumi.ResourceOptions(parent=lab)
        common: dict[str, Any] = {
            "amount": 40,
            "time_grain": "Monthly",
            "time_period": {"start_date": "2026-12-01T00:00:00Z"},
        }
        consumption.Budget(
            "subscription-budget",
            budget_name="wide",
            scope="/subscriptions/00000000-0000-0000-0000-000000000000",
            category="Cost",
            notifications={
                "n": {
                    "enabled": True,
                    "operator": "GreaterThan",
                    "threshold": 80,
                    "contact_emails": [],
                    "contact_roles": ["Owner"],
                }
            },
            opts=opts,
            **common,
        )
        consumption.Budget(
            "group-budget",
            budget_name="narrow",
            scope="/subscriptions/0/resourceGroups/rg-ll-demo-alice",
            category="Cost",
            notifications={
                "n": {
                    "enabled": True,
                    "operator": "GreaterThan",
                    "threshold": 80,
                    "contact_emails": ["alice@example.com"],
                }
            },
            opts=opts,
            **common,
        )

    found = violations(beside("demo-alice-azure", budgets))
    assert found == {
        "budget-sees-spend": [
            "subscription-budget: budget must be scoped to the learner's resource group or"
            " filtered (scope /subscriptions/00000000-0000-0000-0000-000000000000)",
            "subscription-budget: every budget notification must email someone",
        ]
    }


def test_aws_budget_with_metrics_and_filter_passes(beside: Beside) -> None:
    def budget(bp: Any, opts: Any) -> None:
        import pulumi_aws as aws

        aws.budgets.Budget(
            "measured",
            budget_type="COST",
            limit_amount="40.00",
            limit_unit="USD",
            time_unit="MONTHLY",
            metrics="UnblendedCost",
            filter_expression={
                "ands": [
                    {"tags": {"key": "cohort", "values": [bp.cohort]}},
                    {"tags": {"key": "learner", "values": [bp.learner]}},
                ]
            },
            notifications=[
                {
                    "comparison_operator": "GREATER_THAN",
                    "threshold": 80,
                    "threshold_type": "PERCENTAGE",
                    "notification_type": "ACTUAL",
                    "subscriber_email_addresses": [bp.email],
                }
            ],
            tags=bp.tags,
            opts=opts,
        )
        aws.budgets.Budget(
            "account-wide",
            budget_type="USAGE",
            limit_amount="40.00",
            limit_unit="USD",
            time_unit="MONTHLY",
            tags=bp.tags,
            opts=opts,
        )

    found = violations(beside("demo-alice-aws", aws_extra(budget)))
    assert found == {
        "budget-sees-spend": [
            "account-wide: budget type must be COST",
            "account-wide: budget filter must select the cohort and learner tags (selects nothing)",
            "account-wide: every budget notification must email someone",
        ]
    }


def test_missing_budget(aws_plan: Plan, azure_plan: Plan) -> None:
    """The program always has a budget: the demo plans with it taken out."""
    for plan in (aws_plan, azure_plan):
        without = copy.deepcopy(plan)
        without.resources = [r for r in without.resources if "udget" not in r.type]
        assert violations(without) == {
            "budget-present": ["the stack has no budget for the learner"]
        }


def test_lab_that_expires_in_2099() -> None:
    found = violations(plan_with("demo-alice-aws", expires="2099-12-31"))
    days = (date(2099, 12, 31) - date.today()).days
    assert found == {
        "lab-expiry": [
            f"the lab expires on 2099-12-31, {days} days from {date.today().isoformat()};"
            " at most 1461 days"
        ]
    }
    near = (date.today() + timedelta(days=1461)).isoformat()
    assert violations(plan_with("demo-alice-aws", expires=near)) == {}


# --- network ----------------------------------------------------------------------------------
def test_firewall_range_that_spans_most_of_the_internet(beside: Beside) -> None:
    halves = plan_with(
        "demo-alice-azure", network={"allowedIpRanges": ["0.0.0.0/1", "128.0.0.0/2"]}, **AZ
    )
    assert violations(halves) == {
        "firewall-range": [
            "allow-0: firewall rule 0.0.0.0-127.255.255.255 admits 2147483648 addresses"
            " (50% of the internet); at most 65536",
            "allow-1: firewall rule 128.0.0.0-191.255.255.255 admits 1073741824 addresses"
            " (25% of the internet); at most 65536",
        ]
    }

    def whole(bp: Any, lab: Any) -> None:
        import pulumi
        import pulumi_azure_native.synapse as synapse

        synapse.IpFirewallRule(
            "everyone",
            rule_name="everyone",
            workspace_name="ws",
            resource_group_name="rg",
            start_ip_address="0.0.0.0",
            end_ip_address="255.255.255.255",
            opts=pulumi.ResourceOptions(parent=lab),
        )

    assert violations(beside("demo-alice-azure", whole)) == {
        "firewall-range": [
            "everyone: firewall rule 0.0.0.0-255.255.255.255 admits 4294967296 addresses"
            " (100% of the internet); at most 65536"
        ]
    }
    sixteen = plan_with("demo-alice-azure", network={"allowedIpRanges": ["10.1.0.0/16"]}, **AZ)
    assert violations(sixteen) == {}


# --- identity ---------------------------------------------------------------------------------
def test_wildcard_learner_policy(beside: Beside) -> None:
    def wide(bp: Any, opts: Any) -> None:
        import pulumi_aws as aws

        doc = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": "glue:*",
                    "Resource": "arn:aws:glue:us-east-1:123456789012:*",
                },
            ],
        }
        aws.iam.UserPolicy("wide-policy", user="u", policy=json.dumps(doc), opts=opts)

    assert violations(beside("demo-alice-aws", aws_extra(wide))) == {
        "learner-iam-no-wildcards": [
            "wide-policy: policy grants wildcard resources *, arn:aws:glue:us-east-1:123456789012:*"
        ]
    }


# --- the pack ---------------------------------------------------------------------------------
def test_every_policy_has_a_description_and_one_level() -> None:
    names = [p.name for p in ALL_POLICIES]
    assert len(names) == len(set(names)) == 21
    advisory = [p.name for p in ALL_POLICIES if p.enforcement_level.value != "mandatory"]
    assert advisory == [UNDECIDED, f"{UNDECIDED}-stack"]


def test_taggable_types_match_the_sdks(aws_plan: Plan, azure_plan: Plan) -> None:
    """A resource type whose SDK class takes `tags` must be in TAGGABLE_TYPES, and back."""
    import importlib
    import inspect

    seen = {r.type for plan in (aws_plan, azure_plan) for r in plan.resources if r.custom}
    for type_ in sorted(seen):
        package, module, cls = type_.split(":")
        # Dynamic resources (pulumi-python:dynamic/...) have no SDK class to read.
        if package in ("pulumi", "random", "command", "pulumi-python"):
            continue
        mod_name = module.split("/")[0]
        sdk = importlib.import_module(
            f"pulumi_aws.{mod_name}" if package == "aws" else f"pulumi_azure_native.{mod_name}"
        )
        params = inspect.signature(getattr(sdk, cls)._internal_init).parameters
        assert ("tags" in params) == (type_ in TAGGABLE_TYPES), type_
