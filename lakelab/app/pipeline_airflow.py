"""`lakelab pipeline step` and `lakelab pipeline airflow-dag`: the pipeline definition for
an orchestrator that runs one step at a time (Airflow).

lakelab pipeline step --stack S --step ID [--date D] [--mode M] [--run-id R]
lakelab pipeline airflow-dag --stack S [--output FILE]

`step` runs one attempt of one step of the local runner on the twin: no retries (the
orchestrator retries) and no run record (the orchestrator keeps the history). The steps of
one orchestrator run share `--run-id`, so the quality gate finds the stages' manifests.
Exit 0 when the step succeeded, 1 when it failed, 2 on bad input.

`airflow-dag` writes the DAG rendered from the definition (`lakelab.pipeline.airflow_dag`):
to stdout, or atomically to `--output`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.console import Console

from lakelab.app.choices import RunMode
from lakelab.app.data import parse_day
from lakelab.errors import CheckFailed, UserError

console = Console(highlight=False, soft_wrap=True)  # paths and run ids stay whole
# The run ids the stage jobs accept (lakelab_jobs.jobargs).
RUN_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

StackOpt = Annotated[str, typer.Option("--stack", "-s", help="The learner's stack")]


class StepFailed(CheckFailed):
    """The step ran and failed: exit 1."""


def step_cmd(
    stack: StackOpt,
    step: Annotated[str, typer.Option("--step", help="The step of the definition to run")],
    day: Annotated[str | None, typer.Option("--date", help="The run date (default: today)")] = None,
    mode: Annotated[RunMode, typer.Option(help="incremental or full")] = RunMode.incremental,
    run_id: Annotated[
        str | None, typer.Option("--run-id", help="The run this step belongs to (shared by steps)")
    ] = None,
) -> None:
    """Run one attempt of one step on the twin (what an orchestrator's task calls)."""
    from lakelab_jobs.jobargs import generated_run_id

    from lakelab.pipeline.definition import load
    from lakelab.pipeline.twin_steps import TwinSteps
    from lakelab.stackfiles import check_stack_name, stack_name_of

    name = check_stack_name(stack_name_of(stack))
    definition = load()
    definition.step(step)  # an unknown step: one line, exit 2
    when = parse_day(day)
    if run_id is not None and not RUN_ID.match(run_id):
        raise UserError(f"--run-id {run_id!r}: use letters, digits, '.', '_' or '-'")
    run = run_id or generated_run_id("step")
    steps = TwinSteps(name, run, when, mode.value, log=lambda line: console.print(f"  {line}"))
    action = steps.actions().get(step)
    if action is None:
        raise UserError(f"step {step!r} has no action on the twin")
    console.print(f"step {step} of run {run} on {name} for {when} ({mode.value})")
    try:
        detail = action()
    except Exception as exc:  # the step failed: say why in one line, as the runner records it
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StepFailed(f"{step} failed: {first}") from None
    console.print(f"{step}: ok: {detail}")


def airflow_dag_cmd(
    stack: StackOpt,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the DAG file here (else stdout)")
    ] = None,
) -> None:
    """The Airflow 3 DAG of the pipeline definition for the stack: one task per step."""
    from lakelab.pipeline.airflow_dag import dag_id, render
    from lakelab.pipeline.definition import load
    from lakelab.stackfiles import check_stack_name, stack_name_of

    name = check_stack_name(stack_name_of(stack))
    definition = load()
    text = render(definition, name)
    if output is None:
        typer.echo(text, nl=False)
        return
    if not output.parent.is_dir():
        raise UserError(f"--output {output}: folder {output.parent} does not exist")
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, output)
    console.print(f"wrote {output} (dag id {dag_id(definition, name)})")
