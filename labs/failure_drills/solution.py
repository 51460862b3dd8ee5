"""Reference solution of the failure drills: diagnose, fix, rerun, write the runbook.

1. **Diagnose** with a dry run of the daily job (nothing landed or processed; the diagnosis
   is recorded in the job's status history).
2. **Fix** what the diagnosis found:
   - a missing file: ask the source to deliver it again (from its outbox, byte for byte);
   - a schema change: keep the original under `landing/_archive/` and land the file in the
     contract's format (the new column is dropped until the contract adopts it);
   - an unreachable catalogue API: the provider restores the service (in class, whoever
     broke it: `python -m labs.failure_drills source restore`); the job backfills;
   - duplicate keys need no fix: the pipeline heals them, the job counts them.
3. **Rerun** the daily job; it must end healthy.
4. **Runbook**: one entry per injected drill, with what was actually seen.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Final

from lakelab_jobs.contract import ORDERS

from labs.failure_drills import runbook
from labs.failure_drills.drills import DRILLS, injected
from labs.failure_drills.generator import NEW_COLUMN
from labs.failure_drills.job import STATUS_KEY, daily_job, load_source
from labs.failure_drills.source import set_provider
from labs.medallion.generator import csv_bytes
from lakelab.errors import UserError
from lakelab.lake import Lake

ARCHIVE_PREFIX: Final = "_archive/"


def adapt_to_contract(lake: Lake, key: str) -> str:
    """Keep the file as received under `_archive/`, then land it with the contract's columns
    in the contract's order; returns the archive key."""
    original = lake.get("landing", key)
    archive = f"{ARCHIVE_PREFIX}{key}"
    lake.put("landing", archive, original)
    rows = list(csv.DictReader(io.StringIO(original.decode())))
    lake.put(
        "landing", key, csv_bytes(ORDERS.landing, ({c: r[c] for c in ORDERS.landing} for r in rows))
    )
    return archive


def run(stack: str, lake: Lake, work_dir: Path, log: Callable[[str], None]) -> dict[str, Any]:
    src = load_source(work_dir)
    log("diagnosis (dry run of the daily job):")
    diagnosis = daily_job(stack, lake, work_dir, log, dry_run=True)
    fixed: dict[str, list[str]] = {}
    for problem in diagnosis["problems"]:
        kind, key, day = problem["kind"], problem["key"], problem["day"]
        if kind == "missing-file":
            lake.put("landing", key, src.files(date.fromisoformat(day))[key])
            fixed.setdefault("missing-source-file", []).append(
                f"{key} delivered again by the source"
            )
        elif kind == "schema":
            archive = adapt_to_contract(lake, key)
            fixed.setdefault("schema-change", []).append(
                f"{key} landed in contract format; the original is kept as landing/{archive}"
            )
        elif kind == "source-unreachable" and "api-outage" not in fixed:
            set_provider(work_dir, True, "service restored by the provider")
            fixed["api-outage"] = ["the provider restored the catalogue API"]
        elif kind == "row-count":
            raise UserError(f"no reference fix for a short file: {problem['detail']}")
    for drill, actions in fixed.items():
        for action in actions:
            log(f"fix ({drill}): {action}")
    log("rerun:")
    status = daily_job(stack, lake, work_dir, log)
    if status["state"] != "healthy":
        raise UserError(
            f"the daily job is still {status['state']}: {status['error'] or status['problems']}"
        )
    written = write_runbook(lake, work_dir, diagnosis, status, fixed)
    return {"diagnosis": diagnosis, "status": status, "fixed": fixed, "runbook": written}


def write_runbook(
    lake: Lake,
    work_dir: Path,
    diagnosis: dict[str, Any],
    status: dict[str, Any],
    fixed: dict[str, list[str]],
) -> list[str]:
    written = []
    for name in injected(work_dir):
        drill = DRILLS[name]
        seen = [p["detail"] for p in diagnosis["problems"] if _belongs(name, p["kind"])]
        entry = runbook.Entry(
            name, drill.behaviour, _sections(name, drill.day.isoformat(), seen, status, fixed)
        )
        lake.put("gold", runbook.key(name), entry.render().encode())
        written.append(runbook.key(name))
    return written


def _belongs(drill: str, kind: str) -> bool:
    return {
        "missing-file": "missing-source-file",
        "schema": "schema-change",
        "source-unreachable": "api-outage",
    }.get(kind) == drill


# Per drill: symptom, cause, detection, fix and prevention. `{day}` and `{column}` are filled
# in; the detection is followed by what was seen, the fix by what was done and the rerun.
_RUNBOOK: Final[dict[str, tuple[str, str, str, str, str]]] = {
    "missing-source-file": (
        "The daily job failed in preflight; nothing was processed for {day}.",
        "The POS export job wrote the control file but its upload of the orders"
        " file did not complete (transfer interrupted at the source).",
        "Preflight compares every control file with landing before any processing:",
        "Asked the source to deliver the file again, unchanged, then reran the job"
        " (`python -m labs.failure_drills job --stack <stack>`).",
        "Keep the control file as the last step of every export; alert on a"
        " control file without its data within 30 minutes; never run gold on a partial day.",
    ),
    "schema-change": (
        "The daily job failed in preflight on {day}; `lakelab run` fails in"
        " bronze with a CSV header that does not conform to the schema.",
        "The store systems started sending a new required column, `{column}`,"
        " after `channel`, without a contract change.",
        "Preflight checks each new file's header against the data contract:",
        "Kept the files as received under landing/_archive/ and landed them in the"
        " contract's columns, so the day is processed; raised a contract change request to"
        " add `{column}` to orders (landing, silver, and gold by store).",
        "Version the contract; let producers announce columns before sending"
        " them; a schema check in the producer's CI against workloads/README.md.",
    ),
    "duplicate-keys": (
        "Bronze holds more {day} order rows than there were orders.",
        "The store upload was retried after a timeout and appended in full; the web"
        " feed re-sent orders as first placed (at-least-once delivery).",
        "The job's postflight counts repeated order ids per new batch:",
        "No data fix needed: silver keeps one row per order_id (latest updated_at,"
        " ties broken deterministically), so gold counts each order once. Verified silver"
        " has no duplicate order ids and gold matches the source totals.",
        "Ask the POS uploader for idempotent uploads (one object per"
        " attempt, replaced, not appended); keep dedup on the business key in silver.",
    ),
    "api-outage": (
        "The job reported itself degraded: no catalogue for {day}; orders were still processed.",
        "The catalogue API refused connections (provider outage).",
        "The catalogue step retries 3 times with backoff, then raises an alert:",
        "Confirmed with the provider that the service is back, then reran the job, which"
        " backfilled the missing catalogue day.",
        "Keep serving the last good catalogue; alert the provider's on-call;"
        " track catalogue freshness in the status page.",
    ),
}


def _sections(
    name: str,
    day: str,
    seen: list[str],
    status: dict[str, Any],
    fixed: dict[str, list[str]],
) -> dict[str, str]:
    evidence = "\n".join(f"- {s}" for s in seen) or "- (nothing outstanding when diagnosed)"
    actions = "\n".join(f"- {a}" for a in fixed.get(name, [])) or "- none needed"
    done = f"{actions}\n\n"
    if name == "duplicate-keys":  # the evidence is the job's counts; there is nothing to fix
        found = [f for f in status.get("findings", []) if f.get("batch", "").startswith(day)]
        evidence = "\n".join(f"- {f['detail']}" for f in found) or (
            "- counted when the day was ingested (see the job's earlier status)"
        )
        done = "\n"
    rerun = f"Rerun: daily job {status['run_id']} ended {status['state']}."
    texts = _RUNBOOK.get(name, _RUNBOOK["api-outage"])
    symptom, cause, detection, fix, prevention = (
        t.format(day=day, column=NEW_COLUMN) for t in texts
    )
    return {
        "Symptom": symptom,
        "Cause": cause,
        "Detection": f"{detection}\n{evidence}",
        "Fix": f"{fix}\n{done}{rerun}",
        "Prevention": prevention,
    }


__all__ = ["STATUS_KEY", "adapt_to_contract", "run"]
