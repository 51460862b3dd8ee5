"""The reference solution: the starter with its three fixes, a 7-day backfill of it on the
twin, and the proof written from the run history."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from labs.orchestrated_pipelines import layout as L
from lakelab.pipeline.runner import RunRecord

HEADER = "# The reference solution of orchestrated-pipelines (written by `lakelab lab run`).\n"


def reference_definition(starter: str) -> str:
    """The starter with the missing dependency, a retry policy on the flaky step and a
    failure alert (plus a retry alert, so the injected failure is seen, not just survived)."""
    doc: dict[str, Any] = yaml.safe_load(starter)
    steps = {s["id"]: s for s in doc["steps"]}
    up, down = L.MISSING_DEPENDENCY
    steps[down]["depends_on"] = [up]
    # Short waits: the export API recovers in seconds, and a week's backfill meets it 7 times.
    steps[L.FLAKY_STEP].update(retries=2, retry_interval_s=2, retry_backoff=2.0)
    doc["alerts"] = [
        {"when": "failure", "description": "a step failed after its last retry: page the on-call"},
        {"when": "retry", "steps": [L.FLAKY_STEP], "description": "the export API needed a retry"},
    ]
    return HEADER + yaml.safe_dump(doc, sort_keys=False, width=100)


def proof_of(records: Sequence[RunRecord]) -> dict[str, Any]:
    """run_date -> the run that did it: the one succeeded run of the lab's pipeline; a date
    with none or several says so (the check then fails, as it should)."""
    wanted = set(L.week())
    ok: dict[str, list[str]] = {d: [] for d in L.week()}
    for r in records:
        if r.pipeline == L.PIPELINE and r.state == "succeeded" and r.run_date in wanted:
            ok[r.run_date].append(r.run_id)
    return {
        d: ids[0] if len(ids) == 1 else f"exactly one succeeded run ({len(ids)} now)"
        for d, ids in ok.items()
    }


def write_proof(work_dir: Path, records: Sequence[RunRecord]) -> dict[str, Any]:
    doc = proof_of(records)
    L.proof_path(work_dir).write_text(json.dumps(doc, indent=2) + "\n")
    return doc


def run(stack: str, work_dir: Path, log: Callable[[str], None]) -> dict[str, Any]:
    from lakelab.pipeline.on_twin import backfill
    from lakelab.pipeline.runner import history

    path = L.definition_path(work_dir)
    path.write_text(reference_definition(L.STARTER.read_text()))
    records = backfill(
        stack, L.WEEK, definition_file=path, log=log, step_log=lambda line: log(f"  {line}")
    )
    proof = write_proof(work_dir, history(stack))
    return {
        "ran": [r.run_date for r in records],
        "states": {r.run_date: r.state for r in records},
        "proof": proof,
    }
