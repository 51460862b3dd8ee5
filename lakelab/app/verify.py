"""`lakelab verify`: deploy a stack on a real cloud, run the labs' pipeline there, compare
gold with a local build, destroy it and prove nothing is left."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.console import Console

from lakelab.errors import CheckFailed, UserError
from lakelab.tables import Table

console = Console(highlight=False)


def _dry_run(stack: str, keep: bool) -> None:
    from lakelab.clouds import cloud_for
    from lakelab.stackfiles import load_blueprint
    from lakelab.verify.steps import plan_steps

    bp = load_blueprint(stack)
    table = Table(title=f"lakelab verify --stack {stack}: the steps (nothing runs)")
    for column in ("#", "step", "what it does", "needs a real cloud"):
        table.add_column(column, overflow="fold")
    for n, step in enumerate(plan_steps(bp, keep=keep), 1):
        table.add_row(str(n), step.title, step.does, "yes" if step.real_cloud_only else "")
    console.print(table)
    console.print(
        f"It stops at the first failure and still destroys what it created"
        f"{' (not with --keep)' if keep else ''}; the receipt lands under"
        f" the state folder's verify/{stack}/. Cloud: {cloud_for(bp.cloud).title}."
    )


def _print_receipt(receipt_json: dict[str, object], rows: list[tuple[str, str, str, str]]) -> None:
    table = Table(title=f"receipt: {receipt_json['stack']}")
    for column in ("step", "result", "seconds", "detail"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def register(app: typer.Typer) -> None:
    @app.command()
    def verify(
        stack: Annotated[str, typer.Option("--stack", "-s", help="A stack no learner uses")],
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Print the steps; touch no cloud")
        ] = False,
        keep: Annotated[bool, typer.Option(help="Leave the stack deployed at the end")] = False,
        day: Annotated[
            str | None, typer.Option(help="Sample data's day, YYYY-MM-DD [today]")
        ] = None,
        rows: Annotated[int, typer.Option(min=1, max=100_000, help="Sample orders")] = 2000,
        timeout: Annotated[
            float, typer.Option(min=0.01, help="Minutes to wait for the pipeline")
        ] = 60,
        poll: Annotated[float, typer.Option(min=0.01, help="Seconds between polls")] = 15,
        as_json: Annotated[bool, typer.Option("--json", help="Print the receipt as JSON")] = False,
    ) -> None:
        """The acceptance run on a real cloud: preview with the policy pack, up, land sample
        data as the learner, run the pipeline, query gold, compare with a local build,
        destroy, sweep by tag, and print a receipt. Needs the Pulumi CLI and credentials."""
        from lakelab.stackfiles import check_stack_name

        check_stack_name(stack)
        if dry_run:
            _dry_run(stack, keep)
            return
        try:
            when = date.fromisoformat(day) if day else datetime.now(UTC).date()
        except ValueError:
            raise UserError(f"--day {day!r} is not a date (YYYY-MM-DD)") from None
        _verify(stack, keep, when, rows, timeout * 60, poll, as_json)


def _verify(
    stack: str, keep: bool, when: date, rows: int, timeout_s: float, poll_s: float, as_json: bool
) -> None:
    from lakelab.cohort.engine import project_file
    from lakelab.cohort.records import source_root
    from lakelab.settings import Settings
    from lakelab.stackfiles import load_blueprint
    from lakelab.verify.pulumi_cli import PulumiCli
    from lakelab.verify.runner import Options, VerifyRun, run_cost

    bp = load_blueprint(stack)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Settings.current().state_dir / "verify" / stack
    cli = PulumiCli.found(
        stack, project_file().parent, folder / f"{stamp}.log", source_root() / "policies"
    )

    def on_step(step: object, state: str) -> None:
        if not as_json:
            mark = {"start": "..", "ok": "ok", "failed": "FAILED"}[state]
            console.print(f"[{mark}] {getattr(step, 'title', step)}")

    options = Options(when, rows, keep, timeout_s, poll_s)
    receipt = VerifyRun(bp, cli, options, on_step=on_step).run()
    receipt.cost_usd = run_cost(bp, receipt)
    doc = receipt.to_json()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stamp}.json").write_text(json.dumps(doc, indent=2))
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
    else:
        _print_receipt(
            doc,
            [
                (s.title, "ok" if s.ok else "FAILED", f"{s.seconds:.1f}", s.detail)
                for s in receipt.steps
            ],
        )
        console.print(
            f"as: {receipt.actor or '-'}; resources created: {receipt.resources_created};"
            f" estimated cost of the run: ${receipt.cost_usd:.2f}; left behind:"
            f" {len(receipt.leftovers)}{' (kept: --keep)' if receipt.kept else ''};"
            f" log: {cli.log}"
        )
    failed = receipt.failed
    if failed is not None:
        raise CheckFailed(f"verify failed at {failed.title}: {failed.detail}")
    if receipt.leftovers:
        raise CheckFailed(f"verify left {len(receipt.leftovers)} resource(s) behind")
