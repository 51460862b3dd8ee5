"""raw-to-curated: validation rules marked block or warn, a quarantine with reasons, a quality
gate that stops publishing gold, and a data dictionary from the dbt docs. See guide.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from labs.medallion import lakeio
from labs.medallion.generator import describe, scale
from labs.raw_to_curated.checks import check as _check
from labs.raw_to_curated.generator import Scenario, raw_to_curated
from labs.raw_to_curated.pipeline import curate
from lakelab.errors import UserError
from lakelab.labs.framework import LabBase, LabContext, LabInfo

OWN_PREFIXES: Final = {"gold": ("_quality/", "_docs/")}


def _scenario(ctx: LabContext) -> Scenario:
    start = lakeio.load_start(ctx)
    if start is None:
        raise UserError(f"run `lakelab lab start raw-to-curated --stack {ctx.stack}` first")
    return raw_to_curated(int(start["seed"]), float(start["scale"]))


class RawToCurated(LabBase):
    grade = staticmethod(_check)
    info = LabInfo(
        id="raw-to-curated",
        title="From raw to curated: rules, quarantine, quality gate, dictionary",
        summary=(
            "Mark validation rules block or warn, quarantine rejected rows with a reason, stop"
            " a short export at a quality gate before it reaches gold, and publish a data"
            " dictionary generated from the dbt docs."
        ),
        course_refs=(
            "End-to-End Pipelines 4.2 Cleaning, Validation, and Staging",
            "End-to-End Pipelines 4.4 Data Quality and Monitoring",
            "End-to-End Pipelines Section 4 use case: From Raw to Curated",
        ),
    )

    def make_drills(self) -> dict[str, Callable[[LabContext], str]]:
        # The second delivery, on demand: `lakelab lab break short-export --lab raw-to-curated`.
        return {"short-export": self.short_export}

    def start(self, ctx: LabContext) -> str:
        """Clear the contract tables and the lab's reports, then land day 1."""
        factor = scale()
        scenario = raw_to_curated(ctx.seed, factor)
        lakeio.reset_pipeline(ctx, OWN_PREFIXES)
        lakeio.land(ctx.lake, scenario.day1.files)
        lakeio.save_start(ctx, seed=ctx.seed, scale=factor)
        return f"day 1 landed: {describe(scenario.day1)}"

    def short_export(self, ctx: LabContext) -> str:
        """Land day 2: the export that ran at 11:00 instead of after closing."""
        scenario = _scenario(ctx)
        lakeio.land(ctx.lake, scenario.day2.files)
        files = ", ".join(sorted(scenario.day2.files))
        return f"day 2 landed ({files}): {describe(scenario.day2)}"

    def run(self, ctx: LabContext) -> str:
        """Replay the scenario from a clean lake: day 1 through the curated pipeline, then the
        short day-2 export, which the gate must hold."""
        scenario = _scenario(ctx)
        lakeio.reset_pipeline(ctx, OWN_PREFIXES)
        lakeio.land(ctx.lake, scenario.day1.files)
        ctx.log("day 1:")
        first = curate(ctx.stack, ctx.log)
        lakeio.land(ctx.lake, scenario.day2.files)
        ctx.log("day 2 (short export):")
        second = curate(ctx.stack, ctx.log)
        statuses = [r.decision["status"] if r.decision else "none" for r in (first, second)]
        warn = second.rules["summary"]["warn_rows"]
        block = second.rules["summary"]["block_rows"]
        return (
            f"day 1 {statuses[0]}, day 2 {statuses[1]} by the gate; {block} rows quarantined by"
            f" block rules, {warn} flagged by warn rules; dictionary in gold/_docs/"
        )

    def reset(self, ctx: LabContext) -> str:
        removed = lakeio.reset_pipeline(ctx, OWN_PREFIXES)
        lakeio.forget_start(ctx)
        return f"removed {removed} objects"


LAB = RawToCurated()
