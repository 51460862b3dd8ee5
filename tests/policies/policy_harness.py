"""Helpers shared by the guardrail tests (fixtures are in conftest.py)."""

from __future__ import annotations

import copy
from typing import Any

from lakelab.blueprint import from_config
from lakelab.plan import Plan, plan_blueprint
from lakelab.policy import check_plan
from lakelab.stackfiles import read_config

PRINCIPAL = "3f2a9c1e-5b7d-4e8f-9a1b-2c3d4e5f6a7b"
AWS_METRICS_MESSAGE = (
    "budget: a budget with a filter expression needs a cost metric (metrics: none),"
    " else it sees no spend"
)


def plan_with(stack: str, **overrides: Any) -> Plan:
    """The real program's plan for a demo stack config with some `lakelab:` keys changed."""
    config = {**read_config(stack), **{f"lakelab:{k}": v for k, v in overrides.items()}}
    return plan_blueprint(from_config(config), config)


def violations(plan: Plan) -> dict[str, list[str]]:
    """Mandatory violations by policy."""
    found: dict[str, list[str]] = {}
    for v in check_plan(plan):
        if v.mandatory:
            found.setdefault(v.policy, []).append(v.message)
    return found


def advisories(plan: Plan) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for v in check_plan(plan):
        if not v.mandatory:
            found.setdefault(v.policy, []).append(v.message)
    return found


def altered(plan: Plan, type_: str, name: str, **props: Any) -> Plan:
    changed = copy.deepcopy(plan)
    target = changed.named(type_, name)
    for key, value in props.items():
        if value is None:
            target.inputs.pop(key, None)
        else:
            target.inputs[key] = value
    return changed
