"""`lakelab data load`: the shared workload's sample sources, landed on demand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.console import Console

from lakelab.errors import UserError

console = Console(highlight=False)
app = typer.Typer(no_args_is_help=True)


def parse_day(value: str | None, option: str = "--date") -> date:
    """An ISO date (YYYY-MM-DD); today (UTC) when not given."""
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} must be a date like 2026-03-02, not {value!r}") from None


@app.command("load")
def load_cmd(
    stack: Annotated[str, typer.Option("--stack", "-s", help="The learner's stack")],
    rows: Annotated[int, typer.Option(help="Orders to generate for the day")] = 2000,
    day: Annotated[
        str | None, typer.Option("--date", help="The day the sources cover (default: today)")
    ] = None,
    seed: Annotated[int, typer.Option(help="Same seed, date and rows: same bytes")] = 20240101,
) -> None:
    """Land a day of synthetic orders, customers and products in the stack's landing layer,
    with the learner's own credentials."""
    from lakelab.lake import lake_for
    from lakelab.pipeline.sources import land_day, reachable
    from lakelab.stackfiles import check_stack_name, stack_name_of

    check_stack_name(stack_name_of(stack))
    when = parse_day(day)
    lake = reachable(lake_for(stack), stack)  # clear errors: no such stack, twin down
    with console.status(f"generating {rows:,} orders for {when} ..."):
        landed = land_day(lake, when, rows=rows, seed=seed)
    for key in landed.keys:
        entity = key.split("/")[0]
        console.print(f"  {lake.uri('landing', key)}: {landed.rows[entity]:,} rows")
    console.print(
        f"landed batch {landed.batch} in {stack} ({landed.bytes:,} bytes); next:"
        f" `lakelab run --stack {stack}`"
    )
