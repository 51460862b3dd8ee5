"""A pipeline definition run on a learner's twin: one run, or a backfill of dates.

`lakelab pipeline run|backfill` and the orchestrated-pipelines lab's reference both come
here, so a learner's run and the lab's are the same code. `definition_file` is a learner's
own copy of the definition (`--definition FILE`); None is the packaged `medallion.yaml`.
An injected fault (`lakelab.pipeline.faults`) applies only to the former.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from lakelab.pipeline import faults
from lakelab.pipeline.definition import Definition, load
from lakelab.pipeline.runner import Runner, RunRecord, succeeded_dates

Log = Callable[[str], None]


def definition_for(definition_file: Path | None) -> Definition:
    """The definition a run uses; a bad file is a `DefinitionError` naming it."""
    return load(definition_file)


def run_once(
    stack: str,
    when: date,
    mode: str,
    *,
    land: bool,
    definition_file: Path | None = None,
    resume: RunRecord | None = None,
    log: Log = print,
    step_log: Log = print,
) -> RunRecord:
    from lakelab_jobs.jobargs import generated_run_id

    from lakelab.pipeline.twin_steps import TwinSteps
    from lakelab.stackfiles import check_stack_name, stack_name_of

    check_stack_name(stack_name_of(stack))
    definition = definition_for(definition_file)
    fault = faults.for_run(stack, definition.pipeline, definition_file)
    run_id = generated_run_id("pipeline")
    steps = TwinSteps(stack, run_id, when, mode, log=step_log)
    runner = Runner(
        definition,
        faults.apply(steps.actions(), fault),
        log=log,
        definition_file=str(definition_file.resolve()) if definition_file else "",
    )
    log(f"pipeline {definition.pipeline} run {run_id} on {stack} for {when} ({mode})")
    if fault is not None:
        log(f"note: fault injected: {fault.step} fails its first {fault.fail_attempts} attempt(s)")
    return runner.run(stack, run_id, when, mode, land=land, resume=resume)


def backfill(
    stack: str,
    days: Sequence[date],
    *,
    force: bool = False,
    definition_file: Path | None = None,
    log: Log = print,
    step_log: Log = print,
    on_run: Callable[[RunRecord], None] = lambda _r: None,
) -> list[RunRecord]:
    """One incremental run per date, oldest first, each landing its day's sources. A date
    whose latest run of this pipeline succeeded is skipped unless `force`; the first failed
    date stops the backfill (later dates build on it)."""
    pipeline = definition_for(definition_file).pipeline  # a bad file fails before any run
    done = succeeded_dates(stack, pipeline)
    records: list[RunRecord] = []
    for when in days:
        if when.isoformat() in done and not force:
            log(f"{when}: already succeeded, skipped")
            continue
        record = run_once(
            stack,
            when,
            "incremental",
            land=True,
            definition_file=definition_file,
            log=log,
            step_log=step_log,
        )
        on_run(record)
        records.append(record)
        if record.state != "succeeded":
            log(f"stopped at {when}: later dates build on it")
            break
    return records
