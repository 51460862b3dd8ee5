"""The Azure program against the documented constraints of `constraints_azure.py`: each holds
on the demo stack, and a planted wrong value breaks each one (mock runtime; no Azure here)."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from constraints import Constraint
from constraints_azure import AZURE

from lakelab.plan import Plan


@pytest.mark.parametrize("constraint", AZURE, ids=[c.id for c in AZURE])
def test_the_demo_stack_meets_each_constraint(azure_plan: Plan, constraint: Constraint) -> None:
    assert constraint.check(azure_plan) == [], f"{constraint.rule} ({constraint.source})"


def _pool(plan: Plan) -> dict:
    return plan.named("azure-native:synapse:BigDataPool", "spark-pool").inputs


def _notifications(plan: Plan) -> None:
    budget = plan.named("azure-native:consumption:Budget", "budget").inputs
    extra = budget["notifications"]["actual-50"]
    budget["notifications"].update({f"extra-{i}": extra for i in range(3)})


PLANTS: dict[str, Callable[[Plan], None]] = {
    "spark-runtime": lambda p: _pool(p).update(sparkVersion="3.4"),
    "pool-shape": lambda p: _pool(p)["autoPause"].update(delayInMinutes=2),
    "azure-services-rule": lambda p: p.named(
        "azure-native:synapse:IpFirewallRule", "allow-azure-services"
    ).inputs.update(endIpAddress="255.255.255.255"),
    "role-ids": lambda p: p.named(
        "azure-native:authorization:RoleAssignment", "learner-reader"
    ).inputs.update(roleDefinitionId="/providers/Microsoft.Authorization/roleDefinitions/x"),
    "budget-notifications": _notifications,
    "account-name": lambda p: p.named(
        "azure-native:storage:StorageAccount", "account"
    ).inputs.update(accountName="LL-Demo"),
    "quarantine-state": lambda p: (
        p.named("azure-native:storage:ManagementPolicy", "lifecycle")
        .inputs["policy"]["rules"][1]["definition"]["filters"]
        .update(prefixMatch=["quarantine/"])
    ),
    "shared-metadata": lambda p: _catalog_prefix(p, "Demo_Alice"),
    "pool-packages": lambda p: _pool(p)["libraryRequirements"].update(
        content="dbt-core==1.11.16\npyspark==3.5.9\n"
    ),
}


def _catalog_prefix(plan: Plan, prefix: str) -> None:
    acts = plan.named("azure-native:datafactory:Pipeline", "medallion").inputs["activities"]
    args = next(a for a in acts if a["name"] == "catalog")["arguments"]
    args[args.index("--catalog_prefix") + 1] = prefix


def test_every_constraint_has_a_plant() -> None:
    assert set(PLANTS) == {c.id for c in AZURE}


@pytest.mark.parametrize("constraint", AZURE, ids=[c.id for c in AZURE])
def test_a_planted_wrong_value_breaks_the_constraint(
    azure_plan: Plan, constraint: Constraint
) -> None:
    planted = copy.deepcopy(azure_plan)
    PLANTS[constraint.id](planted)
    assert constraint.check(planted) != []
