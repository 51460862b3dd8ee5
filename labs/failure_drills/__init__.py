"""failure-drills: break the daily pipeline on purpose (missing source file, schema change,
duplicate keys, API outage), diagnose, fix or let it heal, and write the runbook. See guide.md."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Final

from labs.failure_drills import drills
from labs.failure_drills.checks import check as _check
from labs.failure_drills.generator import BASELINE, control_key, source
from labs.failure_drills.solution import run as _run
from labs.failure_drills.source import PROVIDER_FILE, set_provider
from labs.medallion import lakeio
from labs.medallion.generator import describe, scale
from lakelab.labs.framework import LabBase, LabContext, LabInfo

OWN_PREFIXES: Final = {"landing": ("_control/", "_archive/"), "gold": ("_ops/", "_runbook/")}


class FailureDrills(LabBase):
    grade = staticmethod(_check)
    info = LabInfo(
        id="failure-drills",
        title="Failure drills: break, diagnose, fix, write the runbook",
        summary=(
            "Inject a missing source file, a schema change, duplicate keys or an API outage"
            " into a daily pipeline; see it fail loudly or heal as designed, fix it, and"
            " write a runbook entry for each drill."
        ),
        course_refs=(
            "End-to-End Pipelines 7.2 Simulation: Failure and Recovery",
            "End-to-End Pipelines 2.3 Reliability and Error Handling",
            "End-to-End Pipelines Section 7 engineer track: runbook",
        ),
    )

    def make_drills(self) -> dict[str, Callable[[LabContext], str]]:
        return {name: partial(drills.inject, name=name) for name in drills.DRILLS}

    def start(self, ctx: LabContext) -> str:
        """Clear the pipeline and the lab's records, then land the two baseline days."""
        factor = scale()
        src = source(ctx.seed, factor)
        self._forget(ctx)
        lakeio.reset_pipeline(ctx, OWN_PREFIXES)
        lakeio.save_start(ctx, seed=ctx.seed, scale=factor)
        set_provider(ctx.work_dir, True, "started")
        for day in BASELINE:
            lakeio.land(ctx.lake, src.files(day))
            ctx.lake.put("landing", control_key(day), src.control_bytes(day))
        landed = src.landing(list(BASELINE), [])
        return (
            f"{BASELINE[0]} and {BASELINE[1]} delivered ({describe(landed)}); run the daily job:"
            f" python -m labs.failure_drills job --stack {ctx.stack}"
        )

    def run(self, ctx: LabContext) -> str:
        result = _run(ctx.stack, ctx.lake, ctx.work_dir, ctx.log)
        fixed = ", ".join(sorted(result["fixed"])) or "nothing to fix"
        written = len(result["runbook"])
        return (
            f"diagnosed {len(result['diagnosis']['problems'])} problem(s); fixed: {fixed};"
            f" daily job {result['status']['state']}; {written} runbook entr"
            f"{'y' if written == 1 else 'ies'} in gold/_runbook/"
        )

    def reset(self, ctx: LabContext) -> str:
        removed = lakeio.reset_pipeline(ctx, OWN_PREFIXES)
        self._forget(ctx)
        return f"removed {removed} objects"

    @staticmethod
    def _forget(ctx: LabContext) -> None:
        lakeio.forget_start(ctx)
        for name in (drills.INJECTED_FILE, PROVIDER_FILE):
            (ctx.work_dir / name).unlink(missing_ok=True)


LAB = FailureDrills()
