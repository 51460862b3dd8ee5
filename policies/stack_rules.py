"""The stack rules: checks over a stack's resources taken together (guards every bucket has,
a budget exists, the dedicated pool is paused, the lab expires)."""

from __future__ import annotations

from datetime import date

from pulumi_policy import (
    StackValidationArgs,
)

from policies.base import (
    AWS_BUDGET,
    AZURE_BUDGET,
    BUCKET,
    BUCKET_SSE,
    PAUSE_COMMAND_PATTERN,
    PUBLIC_ACCESS_BLOCK,
    SERVERLESS_WORKGROUP,
    SQL_POOL,
    TAGGABLE_TYPES,
    USAGE_LIMIT,
    Findings,
    Undecided,
    known,
    org,
)


# --- stack rules ------------------------------------------------------------------------------
def _children(args: StackValidationArgs, type_: str) -> set[str]:
    return {
        r.parent.urn for r in args.resources if r.resource_type == type_ and r.parent is not None
    }


def every_bucket_guarded(args: StackValidationArgs, found: Findings) -> None:
    """Every bucket has its own public access block and default encryption."""
    blocked = _children(args, PUBLIC_ACCESS_BLOCK)
    encrypted = _children(args, BUCKET_SSE)
    for r in args.resources:
        if r.resource_type != BUCKET:
            continue
        if r.urn not in blocked:
            found.violation(f"{r.name}: bucket has no public access block", r.urn)
        if r.urn not in encrypted:
            found.violation(f"{r.name}: bucket has no server-side encryption configuration", r.urn)


def budget_present(args: StackValidationArgs, found: Findings) -> None:
    if not any(r.resource_type in (AWS_BUDGET, AZURE_BUDGET) for r in args.resources):
        found.violation("the stack has no budget for the learner", None)


def dedicated_pool_created_paused(args: StackValidationArgs, found: Findings) -> None:
    pausers = {
        r.parent.urn
        for r in args.resources
        if r.resource_type == "command:local:Command"
        and r.parent is not None
        and PAUSE_COMMAND_PATTERN.search(str(r.props.get("create", "")))
    }
    for r in args.resources:
        if r.resource_type == SQL_POOL and r.urn not in pausers:
            found.violation(f"{r.name}: dedicated SQL pool is not paused after creation", r.urn)


def serverless_usage_limited(args: StackValidationArgs, found: Findings) -> None:
    limited = _children(args, USAGE_LIMIT)
    for r in args.resources:
        if r.resource_type == SERVERLESS_WORKGROUP and r.urn not in limited:
            found.violation(f"{r.name}: Redshift Serverless workgroup has no usage limit", r.urn)


def lab_expiry(args: StackValidationArgs, found: Findings, today: date | None = None) -> None:
    """The lab's `expires` tag is at most the org's longest lab away."""
    max_days = org().lab.max_days
    today = today or date.today()
    seen: dict[str, str] = {}
    for r in args.resources:
        if r.resource_type not in TAGGABLE_TYPES:
            continue
        try:
            value = known(r.props, "tags", "expires")
        except Undecided:
            found.cannot_decide(r.name, "tags.expires is not known until the update runs", r.urn)
            continue
        if value:
            seen.setdefault(str(value), r.name)
    for value, first in sorted(seen.items()):
        try:
            expires = date.fromisoformat(value)
        except ValueError:
            found.violation(f"{first}: expires tag {value!r} is not a date (YYYY-MM-DD)", None)
            continue
        days = (expires - today).days
        if days > max_days:
            found.violation(
                f"the lab expires on {value}, {days} days from {today.isoformat()};"
                f" at most {max_days} days",
                None,
            )
