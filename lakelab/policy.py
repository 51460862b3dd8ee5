"""Run the CrossGuard rules offline against an offline plan (`lakelab policy check`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from lakelab.plan import Plan, PlannedResource
from policies.rules import ALL_POLICIES


@dataclass(frozen=True)
class Violation:
    policy: str
    message: str
    urn: str | None
    mandatory: bool = True


def _options(r: PlannedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=r.parent,
    )


def _policy_resources(plan: Plan) -> list[PolicyResource]:
    by_urn: dict[str, PolicyResource] = {}
    for r in plan.resources:  # parents are registered before children
        if not r.custom:
            continue
        parent = by_urn.get(r.parent or "")
        if parent is None and r.parent:
            # Components are not resources to policies; walk up to the nearest custom one.
            parent = _nearest_custom(plan, r.parent, by_urn)
        by_urn[r.urn] = PolicyResource(
            resource_type=r.type,
            props=r.inputs,
            urn=r.urn,
            name=r.name,
            opts=_options(r),
            provider=None,
            parent=parent,
            dependencies=[],
            property_dependencies={},
        )
    return list(by_urn.values())


def _nearest_custom(
    plan: Plan, urn: str, known: dict[str, PolicyResource]
) -> PolicyResource | None:
    parents = {r.urn: r.parent for r in plan.resources}
    current: str | None = urn
    while current and current not in known:
        current = parents.get(current)
    return known.get(current or "")


def check_plan(plan: Plan) -> list[Violation]:
    violations: list[Violation] = []
    resources = _policy_resources(plan)

    for policy in ALL_POLICIES:
        mandatory = policy.enforcement_level == EnforcementLevel.MANDATORY

        def report(
            message: str,
            urn: str | None = None,
            _name: str = policy.name,
            _mandatory: bool = mandatory,
        ) -> None:
            violations.append(Violation(_name, message, urn, _mandatory))

        if isinstance(policy, ResourceValidationPolicy):
            for pr in resources:
                args = ResourceValidationArgs(
                    resource_type=pr.resource_type,
                    props=pr.props,
                    urn=pr.urn,
                    name=pr.name,
                    opts=pr.opts,
                    provider=None,
                )
                _call(policy, args, report)
        elif isinstance(policy, StackValidationPolicy):
            _call(policy, StackValidationArgs(resources=resources), report)
    return violations


def _call(policy: Any, args: Any, report: Any) -> None:
    validate = policy.validate
    for fn in validate if isinstance(validate, list) else [validate]:
        fn(args, report)
