"""The lakelab CrossGuard rules: guardrails every learner stack must pass.

Each rule validates the engine's view of a resource (camelCase properties), so the same
functions run inside `pulumi preview --policy-pack policies` and offline against `lakelab plan`
(`lakelab policy check`). Caps an organisation may change come from the org policy file
(`lakelab.orgpolicy`, `lakelab policy show`); the rest are fixed guardrails.

During a preview some values are not known yet (an ARN, a resource group id). A rule never
passes on a value it cannot see: it records that it could not decide, and the advisory policy
`undecided-during-preview` reports each such case with its reason. Every other policy is
mandatory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.base import (
    TAGGABLE_TYPES,
    UNDECIDED,
    Report,
    ResourceRule,
    StackRule,
    run_resource_rule,
    run_stack_rule,
)
from policies.cost_rules import (
    athena_guardrails,
    budget_limits,
    budget_sees_spend,
    glue_workers,
    spark_auto_pause,
    spark_pool_size,
    synapse_dedicated_pool,
    warehouse_size,
)
from policies.security_rules import (
    buckets_force_destroy,
    encryption_at_rest,
    firewall_range,
    learner_iam_no_wildcards,
    no_public_storage,
    required_tags,
)
from policies.stack_rules import (
    budget_present,
    dedicated_pool_created_paused,
    every_bucket_guarded,
    lab_expiry,
    serverless_usage_limited,
)

__all__ = [
    "ALL_POLICIES",
    "RESOURCE_RULES",
    "STACK_RULES",
    "TAGGABLE_TYPES",
    "UNDECIDED",
    "policy_names",
    "run_resource_rule",
]


# --- the pack ---------------------------------------------------------------------------------
RESOURCE_RULES: Final[dict[str, tuple[str, ResourceRule]]] = {
    "required-tags": (
        "Taggable resources carry cohort, learner, course, expires, managed-by.",
        required_tags,
    ),
    "no-public-storage": (
        "No public S3 buckets (ACLs, bucket policies), blobs or containers.",
        no_public_storage,
    ),
    "encryption-at-rest": (
        "Storage and warehouses are encrypted at rest.",
        encryption_at_rest,
    ),
    "athena-guardrails": (
        "Athena workgroups enforce result location, encryption and a scan cutoff.",
        athena_guardrails,
    ),
    "warehouse-size": (
        "Redshift within the org's RPU, RPU-hour and node caps.",
        warehouse_size,
    ),
    "synapse-dedicated-pool-size": (
        "Synapse dedicated pools within the org's DWU cap.",
        synapse_dedicated_pool,
    ),
    "spark-pool-size": (
        "Synapse Spark pools within the org's node count and node sizes.",
        spark_pool_size,
    ),
    "spark-auto-pause": ("Synapse Spark pools auto-pause quickly.", spark_auto_pause),
    "glue-workers-capped": ("Glue jobs use few, small workers.", glue_workers),
    "budget-limit": ("A learner's budget is within the org's ceiling.", budget_limits),
    "budget-sees-spend": (
        "Budgets measure cost, are narrowed to the learner and email them.",
        budget_sees_spend,
    ),
    "firewall-range": (
        "Synapse firewall rules admit a small range, however written.",
        firewall_range,
    ),
    "buckets-force-destroy": (
        "Buckets set force_destroy so teardown is never blocked.",
        buckets_force_destroy,
    ),
    "learner-iam-no-wildcards": (
        "Learner and service IAM policies name only the learner's resources.",
        learner_iam_no_wildcards,
    ),
}
STACK_RULES: Final[dict[str, tuple[str, StackRule]]] = {
    "bucket-guards-present": (
        "Every bucket has a public access block and default encryption.",
        every_bucket_guarded,
    ),
    "budget-present": ("Every learner stack has a budget.", budget_present),
    "dedicated-pool-created-paused": (
        "Dedicated SQL pools are paused as soon as they are created.",
        dedicated_pool_created_paused,
    ),
    "serverless-usage-limited": (
        "Every Redshift Serverless workgroup has a usage limit.",
        serverless_usage_limited,
    ),
    "lab-expiry": ("A lab expires within the org's longest lab.", lab_expiry),
}


def _report_all(items: Iterable[tuple[str, str | None]], report: Report) -> None:
    for message, urn in items:
        report(message, urn)


def _mandatory_resource(rule: ResourceRule) -> Callable[..., None]:
    def validate(args: ResourceValidationArgs, report: Report) -> None:
        _report_all(run_resource_rule(rule, args).violations, report)

    return validate


def _mandatory_stack(rule: StackRule) -> Callable[..., None]:
    def validate(args: StackValidationArgs, report: Report) -> None:
        _report_all(run_stack_rule(rule, args).violations, report)

    return validate


def _undecided_resources(args: ResourceValidationArgs, report: Report) -> None:
    for policy, (_, rule) in RESOURCE_RULES.items():
        for message, urn in run_resource_rule(rule, args).undecided:
            report(f"{policy}: {message}", urn)


def _undecided_stack(args: StackValidationArgs, report: Report) -> None:
    for policy, (_, rule) in STACK_RULES.items():
        for message, urn in run_stack_rule(rule, args).undecided:
            report(f"{policy}: {message}", urn)


RESOURCE_POLICIES: Final = [
    ResourceValidationPolicy(
        name=name,
        description=description,
        validate=_mandatory_resource(rule),
        enforcement_level=EnforcementLevel.MANDATORY,
    )
    for name, (description, rule) in RESOURCE_RULES.items()
]
STACK_POLICIES: Final = [
    StackValidationPolicy(
        name=name,
        description=description,
        validate=_mandatory_stack(rule),
        enforcement_level=EnforcementLevel.MANDATORY,
    )
    for name, (description, rule) in STACK_RULES.items()
]
# One advisory policy says what every other rule could not decide during a preview, and why.
UNDECIDED_POLICIES: Final = [
    ResourceValidationPolicy(
        name=UNDECIDED,
        description="A value a rule needs is not known during preview (advisory).",
        validate=_undecided_resources,
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
    StackValidationPolicy(
        name=f"{UNDECIDED}-stack",
        description="A stack rule needs a value not known during preview (advisory).",
        validate=_undecided_stack,
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
]
ALL_POLICIES: Final = [*RESOURCE_POLICIES, *STACK_POLICIES, *UNDECIDED_POLICIES]


def policy_names() -> list[str]:
    return [p.name for p in ALL_POLICIES]
