"""`python -m labs.failure_drills ...`: the daily job, and the sources' side of the drills.

    python -m labs.failure_drills job --stack S [--dry-run]
    python -m labs.failure_drills source status|restore --stack S
    python -m labs.failure_drills source redeliver --stack S --file orders/<day>-pos.csv
    python -m labs.failure_drills adapt --stack S --file orders/<day>-pos.csv
    python -m labs.failure_drills runbook --stack S --drill <drill> [--file entry.md]

`adapt` archives a file in a new layout under landing/_archive/ and lands it in the contract's
columns. `runbook` without `--file` prints a template for the drill; with `--file` it checks
the entry and stores it as gold/_runbook/<drill>.md.

Exit codes of `job`: 0 healthy, 3 degraded, 1 failed, 2 not started.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from labs.failure_drills.job import daily_job, load_source
from labs.failure_drills.source import provider_state, set_provider
from lakelab.errors import UserError
from lakelab.labs.registry import context


def job(stack: str, dry_run: bool) -> int:
    ctx = context("failure-drills", stack)
    status = daily_job(stack, ctx.lake, ctx.work_dir, dry_run=dry_run)
    if status["error"]:
        print(f"error: {status['error']}")
    return {"healthy": 0, "degraded": 3}.get(status["state"], 1)


def source(stack: str, action: str, file: str | None) -> int:
    ctx = context("failure-drills", stack)
    if action == "redeliver":
        src = load_source(ctx.work_dir)
        try:
            day: date | None = date.fromisoformat(Path(file or "").name[:10])
        except ValueError:
            day = None
        files = src.files(day) if day is not None and day in src.days else {}
        if file not in files:
            known = ", ".join(sorted(files)) or "-"
            print(f"error: the outbox has no {file!r} (files of that day: {known})")
            return 2
        ctx.lake.put("landing", file, files[file])
        print(f"delivered landing/{file} again ({len(files[file]):,} bytes)")
        return 0
    if action == "restore":
        set_provider(ctx.work_dir, True, "restored by the provider")
    print(json.dumps(provider_state(ctx.work_dir), indent=2))
    return 0


def adapt(stack: str, file: str) -> int:
    from labs.failure_drills.solution import adapt_to_contract

    ctx = context("failure-drills", stack)
    if file not in ctx.lake.keys("landing", file):
        print(f"error: no landing/{file}")
        return 2
    archive = adapt_to_contract(ctx.lake, file)
    print(f"kept the original as landing/{archive}; landed {file} in the contract's columns")
    return 0


def write_runbook(stack: str, drill: str, file: str | None) -> int:
    from labs.failure_drills import runbook
    from labs.failure_drills.drills import DRILLS

    if drill not in DRILLS:
        print(f"error: unknown drill {drill!r}; drills: {', '.join(DRILLS)}")
        return 2
    if file is None:
        template = runbook.Entry(
            drill,
            "fail loudly | heal",
            {name: "..." for name in runbook.SECTIONS},
        )
        print(template.render())
        return 0
    text = Path(file).read_text()
    entry = runbook.parse(drill, text)
    gaps = entry.missing()
    if gaps:
        print(
            f"error: the entry lacks {', '.join(gaps)} (sections need {runbook.MIN_CHARS}+ chars)"
        )
        return 2
    ctx = context("failure-drills", stack)
    ctx.lake.put("gold", runbook.key(drill), text.encode())
    print(f"stored gold/{runbook.key(drill)} (designed behaviour: {entry.behaviour})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs.failure_drills", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("job", help="the daily job: catalogue, preflight, run, postflight")
    run.add_argument("--stack", required=True, help="the learner's stack, e.g. demo-alice-aws")
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="diagnose only: nothing is landed or processed; the diagnosis is recorded",
    )
    src = commands.add_parser("source", help="the sources' side: API outage, redelivery")
    src.add_argument("action", choices=("status", "restore", "redeliver"))
    src.add_argument("--stack", required=True)
    src.add_argument("--file", help="redeliver: the landing key, e.g. orders/2026-05-06-pos.csv")
    fix = commands.add_parser("adapt", help="land a new-layout file in the contract's columns")
    fix.add_argument("--stack", required=True)
    fix.add_argument(
        "--file", required=True, help="the landing key, e.g. orders/2026-05-07-pos.csv"
    )
    book = commands.add_parser("runbook", help="print a runbook template, or store an entry")
    book.add_argument("--stack", required=True)
    book.add_argument("--drill", required=True)
    book.add_argument("--file", help="a Markdown entry to check and store")
    args = parser.parse_args(argv)
    try:
        if args.command == "job":
            return job(args.stack, args.dry_run)
        if args.command == "adapt":
            return adapt(args.stack, args.file)
        if args.command == "runbook":
            return write_runbook(args.stack, args.drill, args.file)
        return source(args.stack, args.action, args.file)
    except UserError as exc:
        print(f"error: {exc}")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
