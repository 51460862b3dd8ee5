"""Grading of orchestrated-pipelines, criterion by criterion, from the evidence a run leaves:

- the learner's definition (`pipeline.yaml` in the lab's work folder): the dependency, the
  retry policy on the flaky step, the failure alert;
- the run records of the twin (`lakelab pipeline history`): a succeeded run of that file for
  every date of the week, the injected failure met and survived in each, one success per date;
- `proof.json`: the learner's own account of which run did each date;
- the lake: gold `daily_sales` for each date against DuckDB's reference over that date's
  landed sources (`lakelab_jobs.reference`, no Spark).

Each criterion is a small function of plain inputs, so a test can plant a wrong one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from labs.orchestrated_pipelines import layout as L
from lakelab.errors import UserError
from lakelab.labs.framework import Criterion, LabContext
from lakelab.pipeline.definition import Definition, load
from lakelab.pipeline.runner import RunRecord

CRITERIA: Final = (
    ("definition", f"your {L.DEFINITION_FILE} loads, is named {L.PIPELINE}, keeps the 5 steps"),
    ("dependency", "each step waits for the one before it (`depends_on`): gold for silver"),
    ("retry-policy", f"{L.FLAKY_STEP}, made flaky by the lab, is retried (`retries: 1` or more)"),
    ("failure-alert", "an `alerts:` entry with `when: failure` covers every step"),
    ("backfill", "each date of the week succeeded from your file (`backfill --definition`)"),
    ("survived-flaky", f"each date's run: {L.FLAKY_STEP} failed its first attempt, a retry won"),
    ("once-per-date", "each date succeeded exactly once (no --force reruns)"),
    ("proof", f"{L.PROOF_FILE} names each date's one succeeded run (template.py writes it)"),
    ("gold-per-date", "gold daily_sales equals the reference for every date of the week"),
)
TEXT: Final = dict(CRITERIA)
Gold = Mapping[tuple[str, str, str], tuple[int, int, Any]]


def _fail(cid: str, expected: Any, found: Any) -> Criterion:
    return Criterion(cid, TEXT[cid], expected, found, False)


# --- the definition ----------------------------------------------------------------------
def read_definition(path: Path) -> tuple[Definition | None, str]:
    """The learner's definition, or None and why not (one line, as the runner would say)."""
    if not path.is_file():
        return None, f"missing: run `lakelab lab start {L.LAB_ID}`"
    try:
        return load(path), "loads"
    except UserError as exc:
        return None, str(exc)


def definition_ok(defn: Definition | None, why: str) -> Criterion:
    expected = {"pipeline": L.PIPELINE, "missing_steps": []}
    if defn is None:
        return _fail("definition", expected, why)
    found = {"pipeline": defn.pipeline, "missing_steps": [s for s in L.STEPS if s not in defn.ids]}
    return Criterion.equal("definition", TEXT["definition"], expected, found)


def dependency(defn: Definition | None) -> Criterion:
    """Every required (upstream, downstream) pair holds, directly or through other steps."""
    if defn is None:
        return _fail("dependency", [], "no definition to read")
    missing = [
        f"{down} after {up}"
        for up, down in L.REQUIRED_ORDER
        if up not in defn.ids or down not in defn.ids or up not in defn.upstream(down)
    ]
    return Criterion.equal("dependency", TEXT["dependency"], [], missing)


def retry_policy(defn: Definition | None) -> Criterion:
    needed = L.FAULT.fail_attempts
    if defn is None or L.FLAKY_STEP not in defn.ids:
        return _fail("retry-policy", f"retries >= {needed}", "no definition to read")
    policy = defn.policy(L.FLAKY_STEP)
    found = {"retries": policy.retries, "retry_interval_s": policy.retry_interval_s}
    return Criterion.holds(
        "retry-policy",
        TEXT["retry-policy"],
        policy.retries >= needed,
        found,
        expected=f"retries >= {needed}",
    )


def failure_alert(defn: Definition | None) -> Criterion:
    if defn is None:
        return _fail("failure-alert", {"uncovered": []}, "no definition to read")
    uncovered = [s for s in defn.ids if not defn.alerts_for(s, "failure")]
    return Criterion.equal(
        "failure-alert", TEXT["failure-alert"], {"uncovered": []}, {"uncovered": uncovered}
    )


# --- the run records ---------------------------------------------------------------------
def successes(records: Sequence[RunRecord]) -> dict[str, list[RunRecord]]:
    """Succeeded runs of the lab's pipeline for each date of the week (any file)."""
    found: dict[str, list[RunRecord]] = defaultdict(list)
    for r in records:
        if r.pipeline == L.PIPELINE and r.state == "succeeded" and r.run_date in L.week():
            found[r.run_date].append(r)
    return found


def _same_file(recorded: str, path: Path) -> bool:
    return bool(recorded) and Path(recorded).resolve() == path.resolve()


def backfill(ok_runs: Mapping[str, list[RunRecord]], path: Path) -> Criterion:
    found = {
        d: "succeeded"
        if any(_same_file(r.definition, path) for r in ok_runs.get(d, []))
        else ("succeeded from another file" if ok_runs.get(d) else "no succeeded run")
        for d in L.week()
    }
    return Criterion.equal(
        "backfill", TEXT["backfill"], dict.fromkeys(L.week(), "succeeded"), found
    )


def _flaky_attempts(record: RunRecord, by_id: Mapping[str, RunRecord]) -> str:
    """How the flaky step went in the run that did it (a resumed run points back)."""
    seen = 0
    while seen < 20:
        seen += 1
        steps = [s for s in record.steps if s.step == L.FLAKY_STEP]
        if not steps:
            return f"{L.FLAKY_STEP} did not run"
        attempts = steps[0].attempts
        previous = by_id.get(record.resumed_from or "")
        if attempts and attempts[0].number == 0 and previous is not None:
            record = previous  # done in the run this one resumed
            continue
        return (
            ", ".join(
                "ok" if a.ok else ("injected" if "(injected:" in a.detail else "failed")
                for a in attempts
            )
            or "no attempt"
        )
    return "resume chain too long"


def survived_flaky(
    ok_runs: Mapping[str, list[RunRecord]], records: Sequence[RunRecord]
) -> Criterion:
    """The run of each date met the injected failure on its first attempt and got past it."""
    by_id = {r.run_id: r for r in records}
    found: dict[str, str] = {}
    for d in L.week():
        runs = ok_runs.get(d, [])
        found[d] = _flaky_attempts(runs[-1], by_id) if runs else "no succeeded run"
    ok = all(v.startswith("injected") and v.endswith("ok") for v in found.values())
    return Criterion.holds(
        "survived-flaky",
        TEXT["survived-flaky"],
        ok,
        found,
        expected="each date: injected, ..., ok",
    )


def once_per_date(ok_runs: Mapping[str, list[RunRecord]]) -> Criterion:
    found = {d: len(ok_runs.get(d, [])) for d in L.week()}
    return Criterion.equal(
        "once-per-date", TEXT["once-per-date"], dict.fromkeys(L.week(), 1), found
    )


def read_proof(path: Path) -> Any:
    if not path.is_file():
        return "missing: run python -m labs.orchestrated_pipelines.template"
    try:
        return json.loads(path.read_text())
    except ValueError:
        return "not JSON"


def proof(doc: Any, ok_runs: Mapping[str, list[RunRecord]]) -> Criterion:
    """The proof names, for each date, its one succeeded run (never a failed or a second)."""
    expected = {
        d: runs[0].run_id if len(runs) == 1 else f"exactly one succeeded run ({len(runs)} now)"
        for d in L.week()
        for runs in [ok_runs.get(d, [])]
    }
    passed = doc == expected and all(len(ok_runs.get(d, [])) == 1 for d in L.week())
    return Criterion("proof", TEXT["proof"], expected, doc, passed)


# --- the data ----------------------------------------------------------------------------
def gold_per_date(found: Gold, expected: Gold) -> Criterion:
    """Per date: rows of gold that differ from the reference (or are on one side only)."""
    by_date: dict[str, Any] = {}
    for d in L.week():
        want = {k: v for k, v in expected.items() if k[0] == d}
        got = {k: v for k, v in found.items() if k[0] == d}
        if not want:
            by_date[d] = "not landed"
            continue
        keys = set(want) | set(got)
        by_date[d] = sum(
            1
            for k in keys
            if k not in want
            or k not in got
            or (got[k][0], got[k][1], Decimal(str(got[k][2])))
            != (want[k][0], want[k][1], Decimal(str(want[k][2])))
        )
    return Criterion.equal(
        "gold-per-date", TEXT["gold-per-date"], dict.fromkeys(L.week(), 0), by_date
    )


def landed_week(ctx: LabContext) -> dict[str, bytes]:
    """The week's landed sources (`<entity>/<date>.csv`), as the backfill landed them."""
    wanted = {f"{e}/{d}.csv" for e in ("orders", "customers", "products") for d in L.week()}
    keys = [k for e in ("orders", "customers", "products") for k in ctx.lake.keys("landing", e)]
    return {k: ctx.lake.get("landing", k) for k in keys if k in wanted}


def gold_evidence(ctx: LabContext) -> tuple[Gold, Gold]:
    """(gold in the lake, the reference over the week's landed sources)."""
    from labs.medallion.expected import reference_gold
    from labs.medallion.lakeio import gold_rows, snapshot

    files = landed_week(ctx)
    dates = {k.split("/")[1].removesuffix(".csv") for k in files if k.startswith("orders/")}
    complete = {k: v for k, v in files.items() if k.split("/")[1].removesuffix(".csv") in dates}
    expected = reference_gold(complete, ctx.work_dir) if dates else {}
    with snapshot(ctx) as snap:
        return gold_rows(snap), expected


def check(ctx: LabContext) -> list[Criterion]:
    from lakelab.pipeline.runner import history

    path = L.definition_path(ctx.work_dir)
    defn, why = read_definition(path)
    try:
        records = history(ctx.stack)
    except (OSError, ValueError, TypeError, KeyError):  # a damaged record: grade without them
        records = []
    ok_runs = successes(records)
    try:
        found, expected = gold_evidence(ctx)
        gold = gold_per_date(found, expected)
    except Exception as exc:  # a learner's half-written table: a finding, not a crash
        gold = _fail(
            "gold-per-date",
            dict.fromkeys(L.week(), 0),
            f"unreadable: {str(exc).splitlines()[0][:160]}",
        )
    return [
        definition_ok(defn, why),
        dependency(defn),
        retry_policy(defn),
        failure_alert(defn),
        backfill(ok_runs, path),
        survived_flaky(ok_runs, records),
        once_per_date(ok_runs),
        proof(read_proof(L.proof_path(ctx.work_dir)), ok_runs),
        gold,
    ]
