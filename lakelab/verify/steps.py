"""The steps of an acceptance run, in order, and what each does on the stack's cloud."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lakelab.blueprint import Blueprint
from lakelab.clouds import cloud_for


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    does: str
    # Whether only a real cloud exercises this step (the twin cannot stand in for it).
    real_cloud_only: bool = False


KEYS: Final = (
    "preview",
    "up",
    "outputs",
    "land",
    "pipeline",
    "query",
    "reference",
    "compare",
    "destroy",
    "sweep",
)


def plan_steps(bp: Blueprint, *, keep: bool = False) -> list[Step]:
    """Every step of `lakelab verify --stack <bp's stack>`, as it would run."""
    target = cloud_for(bp.cloud)
    storage = target.location_kind.lower()
    stack = bp.stack_name
    steps = [
        Step(
            "preview",
            "preview with the policy pack",
            f"pulumi preview --stack {stack} --policy-pack policies",
        ),
        Step(
            "up",
            "deploy",
            f"pulumi up --stack {stack} --yes --skip-preview --policy-pack policies",
            real_cloud_only=True,
        ),
        Step(
            "outputs",
            "read the stack outputs",
            f"pulumi stack output --stack {stack} --json --show-secrets (kept in memory only)",
        ),
        Step(
            "land",
            "land one day of sample data as the learner",
            f"the sample sources of lakelab data load into {stack}'s landing {storage}",
        ),
        Step(
            "pipeline",
            f"run the {target.pipeline_kind} and wait",
            f"start one run of the stack's {target.pipeline_kind}; poll until it ends",
            real_cloud_only=True,
        ),
        Step(
            "query",
            f"query gold through {target.query_title}",
            f"select every row of gold daily_sales as the learner ({target.query_engine})",
            real_cloud_only=True,
        ),
        Step(
            "reference",
            "build gold locally from the same data",
            "the workload's reference build over the landed files",
        ),
        Step("compare", "compare cloud gold with local gold", "same rows, same content checksum"),
        Step(
            "destroy",
            "destroy the stack",
            f"pulumi destroy --stack {stack} --yes" + (" (skipped: --keep)" if keep else ""),
        ),
        Step(
            "sweep",
            "sweep by tag: prove nothing is left",
            f"find what still carries cohort={bp.cohort}, learner={bp.learner} on "
            f"{target.title}" + (" (skipped: --keep)" if keep else ""),
        ),
    ]
    assert tuple(s.key for s in steps) == KEYS
    return steps
