"""`lakelab run` (the shared workload on a learner's twin) and `lakelab sql`."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.console import Console

from lakelab.app.choices import RunMode
from lakelab.app.errors import known_errors
from lakelab.errors import UserError
from lakelab.tables import Table

console = Console(highlight=False)


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{n} B"
        size /= 1024
    return f"{n} B"


def root_cause(exc: BaseException) -> str:
    """The line that says what went wrong. Spark errors arrive wrapped by Py4J ("An error
    occurred while calling o368.parquet."); the JVM's deepest `Caused by:` names the cause."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    causes = [line for line in lines if line.startswith("Caused by:")]
    if causes:
        return causes[-1].removeprefix("Caused by:").strip()[:400]
    errors = [line for line in lines if re.search(r"(Exception|Error)\b.*: ", line)]
    return (errors[0] if errors else lines[0] if lines else type(exc).__name__)[:400]


def run_cmd(
    stack: Annotated[str, typer.Option("--stack", "-s", help="The learner's stack")],
    mode: Annotated[
        RunMode, typer.Option(help="incremental (from the watermark) or full")
    ] = RunMode.incremental,
    run_id: Annotated[str | None, typer.Option(help="Run id (default: generated)")] = None,
) -> None:
    """Run the medallion jobs on a learner's twin: landing -> bronze -> silver -> gold."""
    from lakelab.stackfiles import check_stack_name, stack_name_of
    from lakelab.twinrun import run_on_twin

    check_stack_name(stack_name_of(stack))  # the run's log is a file named after it
    from lakelab.lake import lake_for
    from lakelab.pipeline.sources import reachable, require_landing

    require_landing(reachable(lake_for(stack), stack), stack)  # before Spark starts
    try:
        result = run_on_twin(stack, mode=mode.value, run_id=run_id, log=lambda s: console.print(s))
    except known_errors():
        raise
    except Exception as exc:  # a failed stage: one line here, the whole story in a log
        import traceback

        from lakelab.twinrun import mirror_root

        log = mirror_root(stack_name_of(stack)).parent / "last-error.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(traceback.format_exc())
        raise UserError(f"the run on {stack} failed: {root_cause(exc)} (details: {log})") from None
    table = Table(title=f"run {result.run_id} on {stack} ({mode})", header_style="bold")
    for col in ("step", "seconds"):
        table.add_column(col)
    for step, seconds in result.timings.items():
        table.add_row(step, f"{seconds:.2f}")
    console.print(table)


def sql_cmd(
    stack: Annotated[str, typer.Option("--stack", "-s", help="The learner's stack")],
    query: Annotated[str, typer.Argument(help="SQL, e.g. 'select count(*) from daily_sales'")],
    limit: Annotated[int, typer.Option(help="Rows to print at most")] = 50,
) -> None:
    """Query a learner's lake like Athena / Synapse serverless SQL; rows and bytes scanned."""
    import duckdb

    from lakelab.lake import lake_for
    from lakelab.sql import query as run_query

    lake = lake_for(stack)
    try:
        result = run_query(lake.profile, query)
    except duckdb.Error as exc:
        raise UserError(f"query failed: {str(exc).splitlines()[0]}") from None
    table = Table(header_style="bold")
    for col in result.columns:
        table.add_column(col)
    for row in result.rows[:limit]:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    console.print(table)
    more = f" (showing {limit})" if len(result.rows) > limit else ""
    console.print(
        f"{len(result.rows)} row(s){more}; scanned {_human(result.bytes_scanned)} in"
        f" {result.files_read} file(s); {result.engine} would bill"
        f" {_human(result.billed_bytes)}"
        f" = ${result.cost_usd:.6f}"
    )


def register(app: typer.Typer) -> None:
    """`lakelab run` and `lakelab sql`."""
    app.command("run")(run_cmd)
    app.command("sql")(sql_cmd)
