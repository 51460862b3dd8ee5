"""medallion: POS and web-shop orders through bronze, silver and gold, ending in daily sales by
product and region, on the shared workload. See guide.md."""

from __future__ import annotations

from labs.medallion import lakeio
from labs.medallion.checks import check as _check
from labs.medallion.generator import describe, medallion, scale
from labs.medallion.solution import run as _run
from lakelab.labs.framework import LabBase, LabContext, LabInfo


class Medallion(LabBase):
    grade = staticmethod(_check)
    info = LabInfo(
        id="medallion",
        title="Medallion in practice: POS + web orders to daily sales",
        summary=(
            "Land three days of store and web-shop exports, run bronze -> silver -> gold on the"
            " shared workload, and prove every layer: lineage, one row per key, quarantine"
            " reasons, reconciliation and daily sales by product and region."
        ),
        course_refs=(
            "Day 4 Session 1: Medallion Architecture",
            "End-to-End Pipelines 3.2 Medallion Architecture (Bronze, Silver, Gold)",
            "End-to-End Pipelines Section 3 use case: Medallion in Practice",
        ),
    )

    def start(self, ctx: LabContext) -> str:
        """Clear the contract tables, then land the generated exports. `LAKELAB_LAB_SCALE`
        scales the volumes (default 1: about 5,000 orders a day)."""
        factor = scale()
        landing = medallion(ctx.seed, factor)
        lakeio.reset_pipeline(ctx)
        lakeio.land(ctx.lake, landing.files)
        lakeio.save_start(ctx, seed=ctx.seed, scale=factor)
        ctx.log(f"landed {len(landing.files)} files under landing/orders, customers, products")
        return describe(landing)

    def run(self, ctx: LabContext) -> str:
        r = _run(ctx.stack, ctx.lake, ctx.log)
        return (
            f"run {r['run_id']} in {r['seconds']}s: {r['rows_in']:,} order rows in, {r['silver']:,}"
            f" in silver, {r['quarantined']} quarantined, {r['duplicates']} duplicates dropped;"
            f" {r['gold_rows']:,} daily_sales rows; {r['tables']} tables in the catalog"
        )

    def reset(self, ctx: LabContext) -> str:
        removed = lakeio.reset_pipeline(ctx)
        lakeio.forget_start(ctx)
        return f"removed {removed} objects"


LAB = Medallion()
