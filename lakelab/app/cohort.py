"""`lakelab cohort`: run whole cohorts.

lakelab cohort init <roster> --cohort C --expires D --budget USD   roster -> stacks/
lakelab cohort up --cohort C [--cloud aws|azure] [--workers N] [--local]
lakelab cohort status --cohort C [--local] [--html PATH]
lakelab cohort down --cohort C [--expired-only] [--stack S ...] [--local] [--yes]
lakelab cohort credentials --cohort C --out DIR [--stack S ...]   sign-in hand-outs, 0600

`down` lists the stacks it destroys and asks first; without a terminal, and with --json, it
needs `--yes` (lakelab.app.confirm).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from lakelab.app import documents
from lakelab.app.choices import CloudChoice, WarehouseMode
from lakelab.app.confirm import YesOpt, ask, counted

if TYPE_CHECKING:
    from lakelab.cohort.configs import SyncPlan
    from lakelab.cohort.lifecycle import DownReport
    from lakelab.cohort.roster import Learner

app = typer.Typer(
    name="cohort",
    help="Run whole cohorts: roster, stacks, status, teardown.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(highlight=False)


def progress_console(as_json: bool) -> Console:
    """Where the per-stack progress goes: stderr when stdout carries the JSON document."""
    return Console(stderr=True, highlight=False) if as_json else console


CohortOpt = Annotated[str, typer.Option("--cohort", "-c", help="The cohort's name.")]
LocalOpt = Annotated[bool, typer.Option("--local", help="On the local twin instead of the clouds.")]


def json_opt(shape: str) -> Any:
    """`--json`, with the document's shape in its help."""
    return typer.Option("--json", help=f"Print one JSON document instead: {shape}.")


# The documents' shapes, shown in `--help`. (No `[word]` in them: Rich reads it as markup.)
UP_JSON = (
    "{cohort, target, expired: list of stack names, warnings: list of text,"
    " stacks: [{stack, operation, result,"
    " seconds, resources, message, log}], counts: {succeeded, failed, skipped}, ok}"
)
STATUS_JSON = (
    "{cohort, target, generated, stacks: [{stack, learner, email, cloud, state, resources,"
    " last_update, expires, expired, cost_to_date}], total_cost, notes: list of text, html}"
)
DOWN_JSON = (
    "{cohort, target, destroyed, removed, sweeps: [{cloud, deleted, failed, notes}],"
    " leftovers: [{cloud, kind, name, id, region, learner}], unverified, kept, clean};"
    " destroyed and removed list stacks as `cohort up --json` does"
)
CREDENTIALS_JSON = (
    "[{stack, learner, email, cloud, sign_in, secrets: how many the file holds, file}];"
    " never a secret itself"
)
WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers", "-w", min=1, max=32, help="Stacks run in parallel (each in its own work dir)."
    ),
]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint="'--expires'"
        ) from None


@app.command()
def init(
    roster: Annotated[
        Path, typer.Argument(help="The roster: a .csv or .yaml file, one row per learner.")
    ],
    cohort: CohortOpt,
    expires: Annotated[str, typer.Option(help="The labs' expiry date, YYYY-MM-DD.")],
    budget: Annotated[float, typer.Option(help="Each learner's monthly budget in USD.")],
    course: Annotated[str, typer.Option(help="The course's slug.")] = "end-to-end-pipelines",
    aws_region: Annotated[str, typer.Option(help="Region of the AWS labs.")] = "us-east-1",
    azure_region: Annotated[str, typer.Option(help="Region of the Azure labs.")] = "eastus",
    allow_ip: Annotated[
        list[str] | None,
        typer.Option(help="An IPv4 CIDR the Synapse firewall admits; repeat for more."),
    ] = None,
    warehouse: Annotated[
        WarehouseMode, typer.Option(help="The query warehouse of the cohort's labs.")
    ] = WarehouseMode.serverless,
    dry_run: Annotated[bool, typer.Option(help="Show the changes without writing them.")] = False,
) -> None:
    """Write one stack config per learner and cloud; a re-run applies only the roster's changes."""
    from lakelab.cohort.configs import apply_sync, plan_sync
    from lakelab.cohort.roster import Settings, load_roster
    from lakelab.stackfiles import stack_file

    settings = Settings(
        cohort=cohort,
        expires=_date(expires),
        budget_usd=budget,
        course=course,
        aws_region=aws_region,
        azure_region=azure_region,
        allowed_ip_ranges=tuple(allow_ip or ()),
        warehouse_mode=warehouse.value,
    )
    learners = load_roster(roster, settings)
    plan = plan_sync(learners, settings, roster.name)
    verb = "would " if dry_run else ""
    for label, stacks in (("add", plan.added), ("update", plan.updated), ("remove", plan.removed)):
        for stack in stacks:
            console.print(f"{verb}{label} {stack_file(stack).name}")
    if plan.seed is not None and plan.seed.note:
        console.print(f"[yellow]note:[/] {plan.seed.note}")
    if not dry_run:
        apply_sync(plan)
    if plan.seed is not None and plan.seed.new and plan.changes:
        from lakelab.cohort.seed import seed_path

        console.print(
            f"{verb}write the organisation's name seed to {seed_path()} (keep it with the stacks:"
            " every later cohort reuses it)"
        )
    console.print(_init_summary(cohort, learners, plan, dry_run))


def _init_summary(cohort: str, learners: list[Learner], plan: SyncPlan, dry_run: bool) -> str:
    """The last line of `cohort init`: learners per cloud and what changed."""
    from lakelab.clouds import all_targets

    # Counted per cloud of the registry: a new cloud appears in the line by itself.
    per_cloud = ", ".join(
        f"{sum(1 for le in learners if t.name in le.clouds)} on {t.title}" for t in all_targets()
    )
    return (
        f"cohort {cohort}: {len(learners)} learners ({per_cloud});"
        f" {len(plan.added)} added, {len(plan.updated)} updated,"
        f" {len(plan.removed)} removed, {len(plan.unchanged)} unchanged"
        + (" (dry run: nothing written)" if dry_run else "")
    )


@app.command()
def up(
    cohort: CohortOpt,
    cloud: Annotated[CloudChoice | None, typer.Option(help="Only this cloud.")] = None,
    workers: WorkersOpt = 4,
    local: LocalOpt = False,
    force: Annotated[
        bool, typer.Option(help="Run stacks that are already up to date too.")
    ] = False,
    as_json: Annotated[bool, json_opt(UP_JSON)] = False,
) -> None:
    """`pulumi up` for every learner stack in parallel; a re-run skips up-to-date stacks."""
    from lakelab.cohort.lifecycle import up as run_up
    from lakelab.cohort.runner import summary_table

    report = run_up(
        cohort,
        cloud=cloud.value if cloud else None,
        workers=workers,
        local=local,
        force=force,
        console=progress_console(as_json),
    )
    if as_json:
        documents.emit(documents.up(cohort, report))
        if report.failed:
            raise typer.Exit(1)
        return
    where = "local twin" if local else "pulumi up"
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", markup=True)
    if report.expired:
        console.print(
            f"[yellow]expired, not deployed:[/] {', '.join(report.expired)}"
            f" (`lakelab cohort down --cohort {cohort} --expired-only` removes them)"
        )
    if report.outcomes:
        console.print(summary_table(f"{where}: cohort {cohort}", report.outcomes))
    else:
        console.print("nothing to run")
    if report.failed:
        from lakelab.cohort.records import cohort_dir

        console.print(
            f"[red]{len(report.failed)} stack(s) failed[/]; logs in {cohort_dir(cohort) / 'logs'};"
            " re-run to retry only what is not up to date"
        )
        raise typer.Exit(1)


@app.command()
def status(
    cohort: CohortOpt,
    local: LocalOpt = False,
    html: Annotated[Path | None, typer.Option(help="Write the HTML page here.")] = None,
    hours_per_week: Annotated[
        float | None, typer.Option(min=0, help="Lab hours per learner per week, for cost to date.")
    ] = None,
    as_json: Annotated[bool, json_opt(STATUS_JSON)] = False,
) -> None:
    """Per learner and cloud: stack state, resources, last update, expiry, cost to date."""
    from lakelab.cohort.status import gather, render_table, write_html

    result = gather(cohort, local=local, hours_per_week=hours_per_week)
    page = write_html(result, html)
    if as_json:
        documents.emit(documents.status(result, str(page)))
        return
    console.print(render_table(result))
    for note in result.notes:
        console.print(f"[dim]note: {note}[/]")
    console.print(f"HTML: {page}")


@app.command()
def down(
    cohort: CohortOpt,
    expired_only: Annotated[bool, typer.Option(help="Only stacks past their expiry date.")] = False,
    stack: Annotated[
        list[str] | None, typer.Option("--stack", "-s", help="Only this stack; repeat for more.")
    ] = None,
    workers: WorkersOpt = 4,
    local: LocalOpt = False,
    as_json: Annotated[bool, json_opt(DOWN_JSON)] = False,
    yes: YesOpt = False,
) -> None:
    """Destroy every stack, sweep by the cohort tag, report leftovers, remove clean stacks."""
    from lakelab.cohort.lifecycle import down as run_down
    from lakelab.cohort.lifecycle import select

    doomed = select(cohort, stacks=stack or (), expired_only=expired_only)
    if doomed:
        where = "the local twin" if local else "the clouds"
        lines = [
            f"{bp.stack_name}: learner {bp.learner} on {bp.cloud} ({bp.region})" for bp in doomed
        ]
        if not local:
            clouds = ", ".join(dict.fromkeys(bp.cloud for bp in doomed))
            lines.append(
                f"then whatever is still tagged cohort={cohort} for these learners on {clouds}"
                " (the sweep); the stacks leave the Pulumi backend, their config stays in stacks/"
            )
        ask(
            "lakelab cohort down",
            f"{counted(len(doomed), 'stack')} of cohort {cohort} on {where}",
            lines,
            yes=yes,
            as_json=as_json,
            console=progress_console(as_json),
        )
    report = run_down(
        cohort,
        stacks=stack or (),
        expired_only=expired_only,
        workers=workers,
        local=local,
        console=progress_console(as_json),
    )
    if as_json:
        documents.emit(documents.down(cohort, report))
        if report.destroyed and not report.clean:
            raise typer.Exit(1)
        return
    _print_down(cohort, report, expired_only=expired_only, local=local)


@app.command()
def credentials(
    cohort: CohortOpt,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Folder for the hand-outs (created 0700; files are 0600)."
        ),
    ],
    stack: Annotated[
        list[str] | None, typer.Option("--stack", "-s", help="Only these stacks; repeatable.")
    ] = None,
    as_json: Annotated[bool, json_opt(CREDENTIALS_JSON)] = False,
) -> None:
    """Write each learner's sign-in hand-out to a private file; print no secret."""
    from lakelab.cohort.credentials import hand_out
    from lakelab.cohort.engine import project_file
    from lakelab.cohort.lifecycle import select
    from lakelab.tables import Table

    bps = select(cohort, stacks=stack or ())
    handouts = hand_out(bps, out, project_file().parent)
    if as_json:
        documents.emit([{**asdict(h), "file": str(h.file) if h.file else None} for h in handouts])
        return
    table = Table(title=f"cohort {cohort}: sign-in hand-outs", header_style="bold")
    for col in ("stack", "learner", "email", "sign in", "secrets in file", "file"):
        table.add_column(col)
    for h in handouts:
        table.add_row(
            h.stack,
            h.learner,
            h.email,
            h.sign_in or "-",
            str(h.secrets),
            str(h.file) if h.file else "not deployed: no hand-out",
        )
    console.print(table)
    written = sum(1 for h in handouts if h.file)
    console.print(
        f"wrote {written} hand-out(s) to {out} (mode 0600); send each to its learner privately"
    )


def _print_down(cohort: str, report: DownReport, *, expired_only: bool, local: bool) -> None:
    from lakelab.cohort.runner import summary_table

    if not report.destroyed:
        console.print("nothing to tear down" + (" (no stack has expired)" if expired_only else ""))
        return
    console.print(summary_table(f"teardown: cohort {cohort}", report.destroyed + report.removed))
    for sweep in report.sweeps:
        if sweep.deleted:
            console.print(f"{sweep.cloud} sweep deleted {len(sweep.deleted)} leftover resource(s):")
            for item in sweep.deleted:
                console.print(
                    f"  {item.kind} {item.name}" + (f" ({item.region})" if item.region else "")
                )
        for item, error in sweep.failed:
            console.print(
                f"[red]{sweep.cloud} sweep could not delete {item.kind} {item.name}:[/] {error}"
            )
        for note in sweep.notes:
            console.print(f"[dim]note: {note}[/]")
    if report.leftovers or report.unverified:
        from rich.table import Table

        table = Table(
            title="leftovers: still there after destroy and sweep",
            header_style="bold",
            title_justify="left",
        )
        for col in ("cloud", "learner", "kind", "name", "region / id"):
            table.add_column(col, overflow="fold")
        for item in report.leftovers:
            table.add_row(
                item.cloud, item.learner or "-", item.kind, item.name, item.region or item.id
            )
        for problem in report.unverified:
            table.add_row("?", "-", "not checked", problem, "")
        console.print(table)
    if report.kept:
        console.print(f"[red]kept (not clean yet):[/] {', '.join(report.kept)}")
    if not report.clean:
        console.print(
            "[red]the teardown is not complete[/]; fix what is listed and re-run"
            " `lakelab cohort down`"
        )
        raise typer.Exit(1)
    removed = [o.stack for o in report.removed if o.result == "succeeded"]
    where = "the local twin" if local else "the Pulumi backend"
    console.print(
        f"[green]clean:[/] nothing of {len(report.destroyed)} stack(s) is left; removed from"
        f" {where}: {len(removed) if not local else len(report.destroyed)}"
    )
