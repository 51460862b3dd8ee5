"""Your recovery for the failure drills: diagnose with the job, fix, rerun, write the runbook.

    lakelab lab break <drill> --stack demo-alice-aws          # someone else, ideally
    python -m labs.failure_drills.template --stack demo-alice-aws
    lakelab lab check failure-drills --stack demo-alice-aws

As given, it diagnoses and reruns the daily job but fixes nothing and writes no runbook
entry: every injected drill fails its two criteria. Do the TODOs in `fix` and fill `RUNBOOK`
for the drills you handle. `python -m labs.failure_drills --help` lists the commands the
fixes can also be done with by hand.
"""

from __future__ import annotations

import argparse
from datetime import date

from labs.failure_drills import runbook
from labs.failure_drills.drills import injected
from labs.failure_drills.job import daily_job, load_source
from lakelab.labs.registry import context
from lakelab.lake import Lake

# One entry per drill you handle. Required: the designed behaviour ("fail loudly" or "heal",
# see guide.md) and a Cause, Detection and Fix of a sentence at least.
RUNBOOK: dict[str, dict[str, str]] = {
    "missing-source-file": {
        "Designed behaviour": "TODO",
        "Cause": "TODO",
        "Detection": "TODO",
        "Fix": "TODO",
        "Prevention": "",
    },
}


def fix(lake: Lake, kind: str, key: str, outbox: dict[str, bytes]) -> str | None:
    """Repair one problem the dry run found; returns what was done (None: nothing).
    `outbox` holds the files the source sent that day, undamaged."""
    if kind == "missing-file":
        # TODO (L1): have the source deliver `key` again, unchanged:
        # lake.put("landing", key, outbox[key])
        return None
    if kind == "schema":
        # TODO (L1): keep the file as received under landing/_archive/<key>, then land it
        # again with the contract's columns only (lakelab_jobs.contract.ORDERS.landing).
        # (L2: or map columns by name; never by position.)
        return None
    if kind == "source-unreachable":
        # TODO (L1): you cannot fix the provider's API. Whoever plays the provider runs
        # `python -m labs.failure_drills source restore --stack ...`; the rerun backfills.
        return None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stack", required=True, help="the learner's stack")
    args = parser.parse_args(argv)
    ctx = context("failure-drills", args.stack)
    diagnosis = daily_job(args.stack, ctx.lake, ctx.work_dir, dry_run=True)
    src = load_source(ctx.work_dir)
    for problem in diagnosis["problems"]:
        outbox = src.files(date.fromisoformat(problem["day"]))
        done = fix(ctx.lake, problem["kind"], problem["key"], outbox)
        print(f"{problem['kind']} {problem['key']}: {done or 'not fixed'}")
    status = daily_job(args.stack, ctx.lake, ctx.work_dir)
    for drill in injected(ctx.work_dir):
        fields = RUNBOOK.get(drill)
        if not fields:
            continue
        sections = {k: v for k, v in fields.items() if k != "Designed behaviour"}
        entry = runbook.Entry(drill, fields.get("Designed behaviour", "").lower(), sections)
        ctx.lake.put("gold", runbook.key(drill), entry.render().encode())
        gaps = entry.missing()
        print(f"runbook {drill}: {'complete' if not gaps else 'lacks ' + ', '.join(gaps)}")
    return 0 if status["state"] == "healthy" else 1


if __name__ == "__main__":
    raise SystemExit(main())
