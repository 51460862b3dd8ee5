"""The AWS program against the documented constraints of `constraints.py`.

The plan comes from the real program under Pulumi's mock runtime (the engine and AWS cannot
run here). Each constraint holds on the demo stack, and each is shown to fail on a plan with
one wrong value planted, so none of them passes by construction.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest
from constraints import AWS, Constraint

from lakelab.plan import Plan


@pytest.mark.parametrize("constraint", AWS, ids=[c.id for c in AWS])
def test_the_demo_stack_meets_each_constraint(aws_plan: Plan, constraint: Constraint) -> None:
    assert constraint.check(aws_plan) == [], f"{constraint.rule} ({constraint.source})"


def _job(plan: Plan) -> dict:
    return plan.named("aws:glue/job:Job", "silver-job").inputs


def _without_metrics_statement(plan: Plan) -> None:
    policy = plan.named("aws:iam/rolePolicy:RolePolicy", "glue-role-policy").inputs
    doc = json.loads(policy["policy"])
    doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") != "Metrics"]
    policy["policy"] = json.dumps(doc)


def _expire_all_quarantine(plan: Plan) -> None:
    rules = plan.named(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "quarantine-lifecycle"
    ).inputs["rules"]
    rules.append({"id": "expire-all", "status": "Enabled", "filter": {"prefix": ""},
                  "expiration": {"days": 30}})  # fmt: skip


def _no_default_role(plan: Plan) -> None:
    plan.named("aws:redshiftserverless/namespace:Namespace", "namespace").inputs.pop(
        "defaultIamRoleArn"
    )


def _no_results_statement(plan: Plan) -> None:
    policy = plan.named("aws:iam/userPolicy:UserPolicy", "learner-policy").inputs
    doc = json.loads(policy["policy"])
    doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") != "WarehouseResults"]
    policy["policy"] = json.dumps(doc)


def _without_role_statement(sid: str) -> Callable[[Plan], None]:
    def plant(plan: Plan) -> None:
        policy = plan.named("aws:iam/rolePolicy:RolePolicy", "glue-role-policy").inputs
        doc = json.loads(policy["policy"])
        doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") != sid]
        policy["policy"] = json.dumps(doc)

    return plant


PLANTS: dict[str, Callable[[Plan], None]] = {
    "dbt-after-gold": lambda p: p.named("aws:glue/trigger:Trigger", "dbt-trigger").inputs.update(
        type="ON_DEMAND", predicate=None
    ),
    "glue-role-athena": _without_role_statement("Query"),
    "warehouse-role": _no_default_role,
    "data-api-results": _no_results_statement,
    "glue-version": lambda p: _job(p).update(glueVersion="4.0"),
    "glue-command": lambda p: _job(p)["command"].update(name="gluestreaming"),
    "glue-batch-workers": lambda p: _job(p).update(workerType="G.025X"),
    "glue-5-logging": lambda p: _job(p)["defaultArguments"].update(
        {"--enable-continuous-cloudwatch-log": "true"}
    ),
    "glue-metrics-permission": _without_metrics_statement,
    "athena-cutoff": lambda p: (
        p.named("aws:athena/workgroup:Workgroup", "workgroup")
        .inputs["configuration"]
        .update(bytesScannedCutoffPerQuery=9_999_999)
    ),
    "budget-metrics": lambda p: p.named("aws:budgets/budget:Budget", "budget").inputs.pop(
        "metrics"
    ),
    "budget-tags": lambda p: (
        p.named("aws:budgets/budget:Budget", "budget").inputs["filterExpression"]["ands"].pop()
    ),
    "quarantine-state": _expire_all_quarantine,
    "redshift-rpu": lambda p: p.named(
        "aws:redshiftserverless/workgroup:Workgroup", "workgroup"
    ).inputs.update(baseCapacity=12),
}


def test_every_constraint_has_a_plant() -> None:
    assert set(PLANTS) == {c.id for c in AWS}


@pytest.mark.parametrize("constraint", AWS, ids=[c.id for c in AWS])
def test_a_planted_wrong_value_breaks_the_constraint(
    aws_plan: Plan, constraint: Constraint
) -> None:
    planted = copy.deepcopy(aws_plan)
    PLANTS[constraint.id](planted)
    assert constraint.check(planted) != []
