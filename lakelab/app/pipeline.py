"""`lakelab pipeline`: the pipeline definition run on a learner's twin, step by step.

lakelab pipeline run --stack S [--date D] [--mode M] [--land] [--resume RUN_ID] [--definition F]
lakelab pipeline backfill --stack S --from D --to D [--force] [--definition F]
lakelab pipeline history --stack S [--json]
lakelab pipeline step --stack S --step ID [--date D] [--mode M] [--run-id R]
lakelab pipeline airflow-dag --stack S [--output FILE]

Retries, resume and the run records: `lakelab.pipeline.runner`; what each step does on the
twin: `lakelab.pipeline.twin_steps`; one run or a backfill: `lakelab.pipeline.on_twin`.
`--definition FILE` runs a learner's own copy of the definition (validated before any run).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from lakelab.app.choices import RunMode
from lakelab.app.data import parse_day
from lakelab.app.pipeline_airflow import airflow_dag_cmd, step_cmd

if TYPE_CHECKING:
    from datetime import date

    from lakelab.pipeline.runner import RunRecord

console = Console(highlight=False)
app = typer.Typer(no_args_is_help=True)

StackOpt = Annotated[str, typer.Option("--stack", "-s", help="The learner's stack")]
DefinitionOpt = Annotated[
    Path | None,
    typer.Option(
        "--definition",
        help="A pipeline definition file to run instead of the packaged medallion.yaml.",
    ),
]
HISTORY_JSON = (
    "[{run_id, stack, pipeline, definition, run_date, mode, started, finished, state,"
    " resumed_from, steps, alerts}]"
)


def _run_one(
    stack: str,
    when: date,
    mode: str,
    *,
    land: bool,
    resume: RunRecord | None = None,
    definition: Path | None = None,
) -> RunRecord:
    from lakelab.pipeline.on_twin import run_once

    record = run_once(
        stack,
        when,
        mode,
        land=land,
        definition_file=definition,
        resume=resume,
        log=lambda line: console.print(line),
        step_log=lambda line: console.print(f"  {line}"),
    )
    console.print(_outcome(record))
    return record


def _outcome(record: RunRecord) -> str:
    steps = ", ".join(f"{s.step} {s.state}" for s in record.steps)
    return f"run {record.run_id}: {record.state} ({steps})"


@app.command("run")
def run_cmd(
    stack: StackOpt,
    day: Annotated[str | None, typer.Option("--date", help="The run date (default: today)")] = None,
    mode: Annotated[RunMode, typer.Option(help="incremental or full")] = RunMode.incremental,
    land: Annotated[
        bool, typer.Option(help="Land the day's sample sources first (the optional land step).")
    ] = False,
    resume: Annotated[
        str | None, typer.Option(help="A failed run to continue from its failed step.")
    ] = None,
    definition: DefinitionOpt = None,
) -> None:
    """Run the pipeline definition on the twin: retries per step, every attempt recorded."""
    from lakelab.pipeline.runner import load_run

    previous = load_run(stack, resume) if resume else None
    when = parse_day(day) if previous is None else parse_day(previous.run_date)
    chosen = mode.value if previous is None else previous.mode
    record = _run_one(stack, when, chosen, land=land, resume=previous, definition=definition)
    if record.state != "succeeded":
        raise typer.Exit(1)


@app.command("backfill")
def backfill_cmd(
    stack: StackOpt,
    first: Annotated[str, typer.Option("--from", help="The first run date")],
    last: Annotated[str, typer.Option("--to", help="The last run date")],
    force: Annotated[bool, typer.Option(help="Run dates that already succeeded too.")] = False,
    definition: DefinitionOpt = None,
) -> None:
    """One run per date, oldest first, each landing its day's sources; a date that already
    succeeded is skipped unless --force."""
    from lakelab.pipeline.on_twin import backfill
    from lakelab.pipeline.runner import dates

    todo = dates(parse_day(first, "--from"), parse_day(last, "--to"))
    records = backfill(
        stack,
        todo,
        force=force,
        definition_file=definition,
        log=lambda line: console.print(line),
        step_log=lambda line: console.print(f"  {line}"),
        on_run=lambda record: console.print(_outcome(record)),
    )
    if any(r.state != "succeeded" for r in records):
        raise typer.Exit(1)


@app.command("history")
def history_cmd(
    stack: StackOpt,
    as_json: Annotated[bool, typer.Option("--json", help=f"Print {HISTORY_JSON}")] = False,
) -> None:
    """Every recorded pipeline run of the stack: steps, attempts, durations, outcomes."""
    from lakelab.pipeline.runner import history
    from lakelab.tables import Table

    runs = history(stack)
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in runs], indent=2))
        return
    table = Table(title=f"pipeline runs of {stack}", header_style="bold")
    for col in ("run", "date", "mode", "state", "steps (attempts, seconds)"):
        table.add_column(col)
    for r in runs:
        steps = "\n".join(
            f"{s.step}: {s.state} ({len(s.attempts)}, {sum(a.seconds for a in s.attempts):.1f}s)"
            for s in r.steps
        )
        table.add_row(r.run_id, r.run_date, r.mode, r.state, steps)
    console.print(table)


# One step at a time, for orchestrators (Airflow): lakelab.app.pipeline_airflow.
app.command("step")(step_cmd)
app.command("airflow-dag")(airflow_dag_cmd)
