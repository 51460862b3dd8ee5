"""orchestrated-pipelines: the learner's own copy of the pipeline definition gets its missing
dependency, a retry policy for a flaky step and a failure alert, then backfills a week on the
twin and proves from the run history that each date ran exactly once. See guide.md."""

from __future__ import annotations

import json

from labs.medallion import lakeio
from labs.orchestrated_pipelines import layout as L
from labs.orchestrated_pipelines.checks import check as _check
from labs.orchestrated_pipelines.solution import run as _run
from lakelab.labs.framework import LabBase, LabContext, LabInfo
from lakelab.pipeline import faults
from lakelab.pipeline.runner import history_dir


class OrchestratedPipelines(LabBase):
    grade = staticmethod(_check)
    info = LabInfo(
        id=L.LAB_ID,
        title="Orchestrated pipelines: dependencies, retries, alerts, a backfill",
        summary=(
            "Fix your copy of the daily sales pipeline (a missing dependency, no retry on a"
            " flaky step, no alert), survive the injected failure, backfill a week and prove"
            " from the run history that each date ran exactly once."
        ),
        course_refs=(
            "Day 4 Session 4: Orchestrated Pipelines",
            "Integrated plan Week 4: Orchestration (4.3 retries and alerts, 4.4 backfills)",
            "AWS zoomcamp Week 3: task boundaries, retries, backfills",
        ),
    )

    def start(self, ctx: LabContext) -> str:
        """Clear the workload's tables and the lab's records, write the starter definition
        to the work folder and inject the flaky step."""
        self._forget(ctx)
        lakeio.reset_pipeline(ctx)
        path = L.definition_path(ctx.work_dir)
        starter = L.STARTER.read_text()
        if path.is_file() and path.read_text() != starter:  # an edited copy: set it aside
            path.replace(ctx.work_dir / L.PREVIOUS_FILE)
            ctx.log(f"your previous copy is now {ctx.work_dir / L.PREVIOUS_FILE}")
        path.write_text(starter)
        faults.inject(ctx.stack, L.FAULT)
        command = L.backfill_command(ctx.stack, ctx.work_dir)
        return (
            f"your definition is {path}; the {L.FLAKY_STEP} step of {L.PIPELINE} now fails its"
            f" first attempt in every run. Fix the file, then: {command}"
        )

    def run(self, ctx: LabContext) -> str:
        result = _run(ctx.stack, ctx.work_dir, ctx.log)
        states = result["states"]
        ok = sum(s == "succeeded" for s in states.values())
        return (
            f"backfilled {len(states)} date(s), {ok} succeeded; proof of"
            f" {sum(not v.startswith('exactly') for v in result['proof'].values())}/7 dates"
            f" in {L.proof_path(ctx.work_dir)}"
        )

    def reset(self, ctx: LabContext) -> str:
        runs = self._forget(ctx)
        removed = lakeio.reset_pipeline(ctx)
        for name in (L.DEFINITION_FILE, L.PREVIOUS_FILE):
            (ctx.work_dir / name).unlink(missing_ok=True)
        return f"removed {removed} objects and {runs} run records"

    @staticmethod
    def _forget(ctx: LabContext) -> int:
        """Remove the fault, the proof and the run records of the lab's pipeline."""
        faults.clear(ctx.stack)
        L.proof_path(ctx.work_dir).unlink(missing_ok=True)
        removed = 0
        for path in sorted(history_dir(ctx.stack).glob("*.json")):
            try:
                mine = json.loads(path.read_text()).get("pipeline") == L.PIPELINE
            except ValueError:
                continue
            if mine:
                path.unlink()
                removed += 1
        return removed


LAB = OrchestratedPipelines()
