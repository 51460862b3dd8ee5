"""During a preview some values are unknown; no rule passes on a value it cannot see.

The engine hands policies proxies that raise on an unknown value (`pulumi_policy.proxy`);
offline plans carry the engine's sentinels. Both are fed to the real rules here with the props
of a real plan (the Pulumi engine itself cannot run here).
"""

from __future__ import annotations

import copy
from typing import Any

from policy_harness import advisories, altered, violations
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

from lakelab.plan import Plan
from lakelab.policy import check_plan
from policies.rules import RESOURCE_RULES, UNDECIDED, run_resource_rule


def test_unknown_learner_policy_is_an_advisory_not_a_pass(aws_plan: Plan) -> None:
    plan = altered(
        aws_plan, "aws:iam/userPolicy:UserPolicy", "learner-policy", policy=UNKNOWN_STRING_VALUE
    )
    assert violations(plan) == {}
    assert advisories(plan) == {
        UNDECIDED: [
            "learner-iam-no-wildcards: learner-policy: cannot decide during preview:"
            " policy is not known until the update runs"
        ]
    }
    assert all(not v.mandatory for v in check_plan(plan) if v.policy == UNDECIDED)


def test_an_unknown_value_stops_only_its_own_check(azure_plan: Plan) -> None:
    pool = azure_plan.named("azure-native:synapse:BigDataPool", "spark-pool").inputs
    plan = altered(
        azure_plan,
        "azure-native:synapse:BigDataPool",
        "spark-pool",
        autoScale={**pool["autoScale"], "maxNodeCount": UNKNOWN_NUMBER_VALUE},
        nodeSize="Large",
    )
    assert violations(plan) == {
        "spark-pool-size": [
            "spark-pool: Spark pool node size Large is not allowed (allowed: Small, Medium)"
        ]
    }
    assert advisories(plan) == {
        UNDECIDED: [
            "spark-pool-size: spark-pool: cannot decide during preview:"
            " autoScale.maxNodeCount is not known until the update runs"
        ]
    }


def test_unknown_budget_scope_through_the_engines_proxy(azure_plan: Plan) -> None:
    """As the engine calls a rule: props wrapped in the policy SDK's unknown-checking proxy."""
    budget = copy.deepcopy(azure_plan.named("azure-native:consumption:Budget", "budget").inputs)
    budget["scope"] = UNKNOWN_STRING_VALUE
    args = ResourceValidationArgs(
        resource_type="azure-native:consumption:Budget",
        props=unknown_checking_proxy(budget),
        urn="urn:budget",
        name="budget",
        opts=None,  # type: ignore[arg-type]
        provider=None,
    )
    found = run_resource_rule(RESOURCE_RULES["budget-sees-spend"][1], args)
    assert found.violations == []
    assert found.undecided == [
        (
            "budget: cannot decide during preview: scope is not known until the update runs",
            "urn:budget",
        )
    ]
    known: dict[str, Any] = {**budget, "scope": "/subscriptions/0"}
    args.props = unknown_checking_proxy(known)
    found = run_resource_rule(RESOURCE_RULES["budget-sees-spend"][1], args)
    assert [m for m, _ in found.violations] == [
        "budget: budget must be scoped to the learner's resource group or filtered"
        " (scope /subscriptions/0)"
    ]
