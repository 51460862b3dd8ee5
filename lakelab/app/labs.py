"""`lakelab lab ...`: list, start, run, check, reset, break, progress.

`reset` says what it removes and asks first; without a terminal it needs `--yes`
(lakelab.app.confirm)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console

from lakelab.app.confirm import YesOpt, ask, counted
from lakelab.errors import UserError, short
from lakelab.labs import results
from lakelab.labs.framework import Criterion, LabContext, results_json
from lakelab.labs.registry import context, lab_ids, load_lab
from lakelab.tables import Table

app = typer.Typer(help="Self-grading labs on the local twin.", no_args_is_help=True)
console = Console(highlight=False)

LabArg = Annotated[str, typer.Argument(help="Lab id (see `lakelab lab list`)")]
StackOpt = Annotated[
    str, typer.Option("--stack", "-s", help="The learner's stack, e.g. demo-alice-aws")
]


@app.command("list")
def list_labs() -> None:
    """List the labs with their roles and tiers."""
    table = Table(header_style="bold")
    for col in ("lab", "title", "roles", "tiers"):
        table.add_column(col)
    for lab_id in lab_ids():
        info = load_lab(lab_id).info
        table.add_row(info.id, info.title, ", ".join(info.roles), " ".join(info.tiers))
    console.print(table)


def _ctx(lab: str, stack: str) -> LabContext:
    ctx = context(lab, stack)
    ctx.log = lambda line: console.print(f"  {line}")
    return ctx


@app.command()
def start(lab: LabArg, stack: StackOpt) -> None:
    """Generate the lab's data and land it in the learner's lake."""
    ctx = _ctx(lab, stack)
    with console.status(f"starting {lab} on {stack}"):
        summary = load_lab(lab).start(ctx)
    console.print(f"[green]started[/] {lab} on {stack}: {summary}")


@app.command()
def run(lab: LabArg, stack: StackOpt) -> None:
    """Run the reference solution."""
    ctx = _ctx(lab, stack)
    console.print(f"running the reference solution of {lab} on {stack}")
    summary = load_lab(lab).run(ctx)
    console.print(f"[green]done[/] {lab} on {stack}: {summary}")


def grade(lab: str, stack: str) -> tuple[list[Criterion], dict[str, Any], results.Recorded]:
    """Grade the lab on the learner's lake now, and record the grading."""
    ctx = context(lab, stack)
    try:
        criteria = load_lab(lab).check(ctx)
    except UserError:
        raise
    except Exception as exc:  # a learner's malformed output must grade as a failure
        first = str(exc).splitlines()[0] if str(exc) else ""
        criteria = [
            Criterion(
                "checks-ran",
                "the lab's checks could read the results",
                "no error",
                f"{type(exc).__name__}: {first}",
                False,
            )
        ]
    doc = results_json(lab, stack, criteria)
    (ctx.work_dir / "check.json").write_text(json.dumps(doc, indent=2, default=str))
    graded = results.grading(doc, ctx.blueprint.learner, results.fingerprint(ctx.lake))
    return criteria, doc, results.record(ctx.work_dir, graded)


@app.command()
def check(
    lab: LabArg,
    stack: StackOpt,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON")] = False,
) -> None:
    """Grade the learner's results; exit 1 when any criterion fails."""
    criteria, doc, _ = grade(lab, stack)
    if as_json:
        print(json.dumps(doc, indent=2, default=str))
    else:
        table = Table(title=f"{lab} on {stack}", header_style="bold")
        for col in ("criterion", "expected", "found", "result"):
            table.add_column(col, overflow="fold")
        for c in criteria:
            mark = "[green]pass[/]" if c.passed else "[red]FAIL[/]"
            table.add_row(
                f"{c.id}: {c.description}", short(c.expected, 70), short(c.found, 70), mark
            )
        console.print(table)
        console.print(f"{doc['passed']}/{doc['total']} criteria pass")
    if not doc["ok"]:
        raise typer.Exit(1)


@app.command()
def reset(lab: LabArg, stack: StackOpt, yes: YesOpt = False) -> None:
    """Remove everything the lab (and the learner, for it) wrote."""
    ctx = _ctx(lab, stack)
    the_lab = load_lab(lab)  # an unknown lab is an error before anything is asked
    files = sum(1 for p in ctx.work_dir.rglob("*") if p.is_file())
    learner = ctx.blueprint.learner
    ask(
        "lakelab lab reset",
        f"what lab {lab} wrote for learner {learner} ({stack})",
        [
            f"the lab's objects in the lake of {stack} (learner {learner} on {ctx.cloud}),"
            " the learner's results for it included",
            f"the lab's work folder: {counted(files, 'file')} in {ctx.work_dir}",
        ],
        yes=yes,
        console=console,
    )
    summary = the_lab.reset(ctx)
    (ctx.work_dir / "check.json").unlink(missing_ok=True)
    console.print(f"reset {lab} on {stack}: {summary}")


@app.command("break")
def break_(
    drill: Annotated[str, typer.Argument(help="The fault to inject")],
    stack: StackOpt,
    lab: Annotated[str, typer.Option(help="The lab that owns the drill")] = "failure-drills",
) -> None:
    """Inject one fault for a failure drill."""
    the_lab = load_lab(lab)
    if drill not in the_lab.drills:
        known = ", ".join(the_lab.drills) or "none"
        raise UserError(f"unknown drill {drill!r} for {lab}; drills: {known}")
    summary = the_lab.drills[drill](_ctx(lab, stack))
    console.print(f"[yellow]injected[/] {drill} into {stack}: {summary}")


def _progress_cell(row: dict[str, Any]) -> str:
    """`3/10` now, with what is missing, and the best recorded when it was better."""
    failing = [c["id"] for c in row["criteria"] if not c["passed"]]
    color = "green" if row["ok"] else ("yellow" if row["passed"] else "red")
    cell = f"[{color}]{row['passed']}/{row['total']}[/]"
    best = row["best"]
    if best["passed"] > row["passed"]:
        when = best["at"][:16].replace("T", " ")
        cell += f"\nbest recorded: {best['passed']}/{best['total']} ({when} UTC)"
    if failing:
        cell += f"\n[dim]missing now: {', '.join(failing)}[/]"
    return cell


@app.command()
def progress(
    cohort: Annotated[str, typer.Option(help="Cohort name")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Which criteria each learner of a cohort passes, lab by lab: graded now, beside the best
    grading on record (a later lab may have cleared what an earlier one graded)."""
    from localcloud import twin

    provisioned = sorted(s.stack for s in twin.status().stacks if s.cohort == cohort)
    if not provisioned:
        raise UserError(
            f"no stack of cohort {cohort!r} is on the local twin;"
            f" run `lakelab local up --cohort {cohort}`"
        )
    rows: list[dict[str, Any]] = []
    for stack in provisioned:
        for lab in lab_ids():
            _, doc, recorded = grade(lab, stack)
            rows.append({**doc, "best": recorded.best.model_dump(mode="json")})
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    table = Table(
        title=f"cohort {cohort}: criteria passed now, and the best recorded",
        header_style="bold",
    )
    table.add_column("stack")
    for lab in lab_ids():
        table.add_column(lab)
    for stack in provisioned:
        cells = [
            _progress_cell(next(r for r in rows if r["stack"] == stack and r["lab"] == lab))
            for lab in lab_ids()
        ]
        table.add_row(stack, *cells)
    console.print(table)
