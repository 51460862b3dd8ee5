"""multi-source-integration: the same customers in CRM, billing and support, matched through a
key crosswalk and merged into a customer 360 by survivorship rules with a confidence score per
attribute. See guide.md."""

from __future__ import annotations

from labs.multi_source_integration.checks import check as _check
from labs.multi_source_integration.generator import generate
from labs.multi_source_integration.solution import C360_KEY, CROSSWALK_KEY, RULES_KEY
from labs.multi_source_integration.solution import run as _run
from lakelab.labs.framework import LabBase, LabContext, LabInfo

LANDING_PREFIXES = ("crm/customers/", "billing/accounts/", "support/contacts/")


class MultiSourceIntegration(LabBase):
    grade = staticmethod(_check)
    info = LabInfo(
        id="multi-source-integration",
        title="Multi-source integration: customer 360",
        summary=(
            "Match CRM, billing and support records with different keys, formats and update"
            " times into one customer 360: a key crosswalk, survivorship rules and a"
            " confidence score per attribute."
        ),
        roles=("architect", "engineer", "analyst"),
        course_refs=(
            "Day 4 Session 3: Multi-source Integration",
            "End-to-End Pipelines 1.1 use case: Customer 360 from CRM, support and billing",
            "End-to-End Pipelines 3.2 Silver: cleaned, conformed, integrated",
        ),
    )

    def start(self, ctx: LabContext) -> str:
        land = generate(ctx.seed)
        for key, data in land.files().items():
            ctx.lake.put("landing", key, data)
            ctx.log(f"landing/{key}: {len(data):,} bytes")
        counts = land.counts()
        return (
            f"{counts['crm']:,} CRM customers, {counts['billing']:,} billing accounts and"
            f" {counts['support']:,} support contacts landed for the customer 360"
        )

    def run(self, ctx: LabContext) -> str:
        result = _run(ctx.lake, ctx.log)
        return (
            f"{result['customers']:,} customers in gold/{C360_KEY} from"
            f" {sum(result['records'].values()):,} source records; crosswalk in"
            f" silver/{CROSSWALK_KEY}"
        )

    def reset(self, ctx: LabContext) -> str:
        removed = 0
        for layer, prefixes in (
            ("landing", LANDING_PREFIXES),
            ("silver", ("customer360/",)),
            ("gold", ("customer360/",)),
        ):
            keys = [k for p in prefixes for k in ctx.lake.keys(layer, p)]
            ctx.lake.delete(layer, keys)
            removed += len(keys)
        return f"removed {removed} objects"


LAB = MultiSourceIntegration()
__all__ = ["LAB", "RULES_KEY"]
