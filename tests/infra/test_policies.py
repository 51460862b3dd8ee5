"""Every policy of the CrossGuard pack reports the violation it exists for.

Violations come from real plans of stack configs that ask for something the guardrails
forbid, or, where the program itself cannot produce the violation, from a demo plan with
one resource altered. The Pulumi engine is mocked (it cannot run here); the policies are real.
"""

from __future__ import annotations

import copy
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from lakelab.blueprint import from_config
from lakelab.plan import Plan, plan_blueprint
from lakelab.policy import check_plan
from lakelab.stackfiles import read_config
from policies.rules import ALL_POLICIES, TAGGABLE_TYPES


def plan_with(stack: str, **overrides: Any) -> Plan:
    config = {**read_config(stack), **{f"lakelab:{k}": v for k, v in overrides.items()}}
    return plan_blueprint(from_config(config), config)


def altered(plan: Plan, type_: str, name: str, **props: Any) -> Plan:
    changed = copy.deepcopy(plan)
    target = changed.named(type_, name)
    for key, value in props.items():
        if value is None:
            target.inputs.pop(key, None)
        else:
            target.inputs[key] = value
    return changed


def violations(plan: Plan) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for v in check_plan(plan):
        found.setdefault(v.policy, []).append(v.message)
    return found


def test_demo_stacks_pass_every_policy(demo_plans: dict[str, Plan]) -> None:
    for stack, plan in demo_plans.items():
        assert check_plan(plan) == [], stack


def test_public_bucket_request_is_caught() -> None:
    found = violations(plan_with("demo-alice-aws", access={"blockPublicAccess": False}))
    assert sorted(found) == ["no-public-storage"]
    assert len(found["no-public-storage"]) == 7
    assert (
        "bronze-public-access: public access block must set blockPublicAcls, blockPublicPolicy,"
        " ignorePublicAcls, restrictPublicBuckets to true"
    ) in found["no-public-storage"]


def test_public_azure_storage_is_caught() -> None:
    found = violations(
        plan_with(
            "demo-alice-azure",
            access={
                "blockPublicAccess": False,
                "azurePrincipalId": "3f2a9c1e-5b7d-4e8f-9a1b-2c3d4e5f6a7b",
            },
        )
    )
    messages = found["no-public-storage"]
    assert "account: allowBlobPublicAccess must be false" in messages
    assert sum("container public access is Container" in m for m in messages) == 6


def test_oversized_serverless_warehouse_is_caught() -> None:
    found = violations(
        plan_with("demo-alice-aws", warehouse={"mode": "serverless", "baseCapacityRpu": 32})
    )
    assert found == {
        "warehouse-size": ["workgroup: Redshift Serverless base capacity 32 RPU is above 8 RPU"]
    }


def test_provisioned_node_type_outside_allow_list_is_caught() -> None:
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


def test_allowed_provisioned_cluster_passes() -> None:
    plan = plan_with("demo-alice-aws", warehouse={"mode": "provisioned", "nodeType": "ra3.xlplus"})
    assert check_plan(plan) == []
    assert plan.named("aws:redshift/cluster:Cluster", "cluster").inputs["encrypted"] == "true"


def test_oversized_dedicated_pool_is_caught_and_small_one_is_paused() -> None:
    access = {"azurePrincipalId": "3f2a9c1e-5b7d-4e8f-9a1b-2c3d4e5f6a7b"}
    big = plan_with(
        "demo-alice-azure",
        access=access,
        warehouse={"mode": "provisioned", "dedicatedSku": "DW1000c"},
    )
    assert violations(big) == {
        "synapse-dedicated-pool-size": [
            "dedicated-pool: dedicated SQL pool DW1000c is above DW100c"
        ]
    }
    small = plan_with("demo-alice-azure", access=access, warehouse={"mode": "provisioned"})
    assert check_plan(small) == []
    pause = small.named("command:local:Command", "pause-dedicated-pool").inputs["create"]
    assert pause.startswith(
        "az synapse sql pool pause --name warehouse --workspace-name ll-demo-alice-syn-f9ebc2"
    )
    unpaused = copy.deepcopy(small)
    unpaused.resources = [r for r in unpaused.resources if r.name != "pause-dedicated-pool"]
    assert violations(unpaused) == {
        "dedicated-pool-created-paused": [
            "dedicated-pool: dedicated SQL pool is not paused after creation"
        ]
    }


def test_glue_workers_are_capped() -> None:
    found = violations(
        plan_with("demo-alice-aws", spark={"glueWorkers": 10, "glueWorkerType": "G.4X"})
    )
    assert sorted(found) == ["glue-workers-capped"]
    assert "bronze-job: Glue jobs take at most 4 workers (got 10)" in found["glue-workers-capped"]
    assert "gold-job: Glue worker type G.4X is not allowed" in found["glue-workers-capped"]


def test_spark_pool_must_auto_pause_quickly() -> None:
    plan = plan_with(
        "demo-alice-azure",
        spark={"autoPauseMinutes": 60},
        access={"azurePrincipalId": "3f2a9c1e-5b7d-4e8f-9a1b-2c3d4e5f6a7b"},
    )
    assert violations(plan) == {
        "spark-auto-pause": [
            "spark-pool: Spark pool must auto-pause within 15 minutes (enabled=True, delay=60)"
        ]
    }


def test_athena_scan_cutoff_limit() -> None:
    plan = plan_with("demo-alice-aws", query={"scanCutoffMb": 20 * 1024})
    assert violations(plan) == {
        "athena-guardrails": [
            f"workgroup: per-query scan cutoff must be set and at most 10 GB (got {20 * 1024**3})"
        ]
    }


def test_athena_enforcement_and_result_location(aws_plan: Plan) -> None:
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


def test_missing_tags(aws_plan: Plan) -> None:
    plan = altered(aws_plan, "aws:glue/job:Job", "silver-job", tags={"cohort": "demo"})
    assert violations(plan) == {
        "required-tags": ["silver-job: missing required tags learner, course, expires, managed-by"]
    }


def test_bucket_without_force_destroy(aws_plan: Plan) -> None:
    plan = altered(aws_plan, "aws:s3/bucket:Bucket", "gold", forceDestroy=False)
    assert violations(plan) == {
        "buckets-force-destroy": ["gold: bucket must set forceDestroy so teardown is never blocked"]
    }


def test_unencrypted_storage(aws_plan: Plan, azure_plan: Plan) -> None:
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


def test_wildcard_learner_policy(aws_plan: Plan) -> None:
    policy = aws_plan.named("aws:iam/userPolicy:UserPolicy", "learner-policy").inputs["policy"]
    doc = json.loads(policy)
    doc["Statement"].append({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    doc["Statement"].append(
        {"Effect": "Allow", "Action": "glue:*", "Resource": "arn:aws:glue:us-east-1:123456789012:*"}
    )
    plan = altered(
        aws_plan, "aws:iam/userPolicy:UserPolicy", "learner-policy", policy=json.dumps(doc)
    )
    assert violations(plan) == {
        "learner-iam-no-wildcards": [
            "learner-policy: policy grants wildcard resources"
            " *, arn:aws:glue:us-east-1:123456789012:*"
        ]
    }


def test_missing_budget(aws_plan: Plan, azure_plan: Plan) -> None:
    for plan in (aws_plan, azure_plan):
        without = copy.deepcopy(plan)
        without.resources = [r for r in without.resources if "udget" not in r.type]
        assert violations(without) == {
            "budget-present": ["the stack has no budget for the learner"]
        }


def test_every_policy_has_a_violation_test() -> None:
    source = inspect.getsource(inspect.getmodule(test_every_policy_has_a_violation_test))  # type: ignore[arg-type]
    for policy in ALL_POLICIES:
        assert f'"{policy.name}"' in source, f"no test reports {policy.name}"


def test_taggable_types_match_the_sdks(demo_plans: dict[str, Plan]) -> None:
    """A resource type whose SDK class takes `tags` must be in TAGGABLE_TYPES, and back."""
    import importlib

    seen = {r.type for plan in demo_plans.values() for r in plan.resources if r.custom}
    for type_ in sorted(seen):
        package, module, cls = type_.split(":")
        if package in ("pulumi", "random", "command"):
            continue
        mod_name = module.split("/")[0]
        sdk = importlib.import_module(
            f"pulumi_aws.{mod_name}" if package == "aws" else f"pulumi_azure_native.{mod_name}"
        )
        params = inspect.signature(getattr(sdk, cls)._internal_init).parameters
        assert ("tags" in params) == (type_ in TAGGABLE_TYPES), type_


@pytest.mark.parametrize("stack", ["demo-alice-aws", "demo-bob-azure"])
def test_policy_pack_entry_point_imports_rules(stack: str) -> None:
    text = inspect.getfile(check_plan).replace("lakelab/policy.py", "policies/__main__.py")
    body = Path(text).read_text()
    assert "PolicyPack(" in body and "ALL_POLICIES" in body
    assert stack  # the pack covers both clouds with one set of rules
