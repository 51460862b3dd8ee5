"""What one ingest run records: its report, dead letters, and the manifest in landing
(pages, rows, attempts, responses, a sha256 per object, the landing checksum, past runs)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from labs.ingest_and_land import layout
from labs.ingest_and_land.generator import EXTRACT_DATE
from labs.ingest_and_land.retry import Fetched
from labs.ingest_and_land.sources import Endpoint
from lakelab.lake import Lake

MAX_RUNS_KEPT = 20


@dataclass
class RunReport:
    run: int
    written: int
    unchanged: int
    deleted: int
    landing_checksum: str
    pages_landed: int
    pages_dead_lettered: int
    rows_landed: int
    csv_rows: int

    def summary(self) -> str:
        return (
            f"run {self.run}: CSV {self.csv_rows:,} rows, {self.pages_landed} pages"
            f" ({self.rows_landed:,} orders) landed, {self.pages_dead_lettered} dead-lettered;"
            f" wrote {self.written}, unchanged {self.unchanged}, removed {self.deleted};"
            f" landing checksum {self.landing_checksum[:12]}"
        )


def dead_letter(source: str, request: str, fetched: Fetched, **extra: Any) -> bytes:
    doc = {
        "source": source,
        "request": request,
        "extract_date": EXTRACT_DATE,
        "attempts": fetched.attempts,
        "statuses": fetched.statuses,
        "last_status": fetched.statuses[-1] if fetched.statuses else None,
        "error": fetched.error,
        **extra,
    }
    return json.dumps(doc, indent=2, sort_keys=True).encode() + b"\n"


@dataclass
class RunState:
    """What one run builds up: the objects it wants in landing, the dead letters its
    successes resolve, and what was there before it started."""

    existing: set[str]
    wanted: dict[str, bytes] = field(default_factory=dict)  # key -> bytes for landing
    resolved: set[str] = field(default_factory=set)  # dead letters this run made obsolete


@dataclass
class ApiPages:
    """What the orders API served this run, page by page."""

    total_pages: int
    rows_total: int
    results: list[Fetched]
    pages: list[dict[str, Any]] = field(default_factory=list)
    dead: list[dict[str, Any]] = field(default_factory=list)
    responses: Counter[int] = field(default_factory=Counter)
    order_ids: list[str] = field(default_factory=list)


def finish_run(
    lake: Lake,
    endpoint: Endpoint,
    run: RunState,
    api: ApiPages,
    *,
    csv_entry: dict[str, Any],
    got_csv: Fetched,
    changed: list[bool],
    stale: list[str],
    started: datetime,
) -> RunReport:
    """Fingerprint the landing as it is now and write the manifest."""
    digests = _digests(lake, run)
    checksum = layout.landing_checksum(digests)
    written = sum(changed)
    previous = _previous_runs(lake)
    run_no = (previous[-1]["run"] + 1) if previous else 1
    report = RunReport(
        run=run_no,
        written=written,
        unchanged=len(changed) - written,
        deleted=len(stale),
        landing_checksum=checksum,
        pages_landed=len(api.pages),
        pages_dead_lettered=len(api.dead),
        rows_landed=sum(p["rows"] for p in api.pages),
        csv_rows=int(csv_entry.get("rows", 0)),
    )
    run_entry = {
        "run": run_no,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "written": report.written,
        "unchanged": report.unchanged,
        "deleted": report.deleted,
        "landing_checksum": checksum,
    }
    csv_entry["sha256"] = digests.get(layout.CSV_KEY)
    manifest = {
        "pipeline": "ingest-and-land",
        "extract_date": EXTRACT_DATE,
        "sources": {
            "store_sales_csv": csv_entry,
            "web_orders_api": _api_summary(endpoint, api, report),
        },
        "dead_letters": _dead_letter_list(api, run, got_csv),
        "objects": {k: digests[k] for k in sorted(digests)},
        "landing_checksum": checksum,
        "runs": [*previous, run_entry][-MAX_RUNS_KEPT:],
    }
    body = json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"
    lake.put(layout.LAYER, layout.MANIFEST_KEY, body)
    return report


def _digests(lake: Lake, run: RunState) -> dict[str, str]:
    """Key -> sha256 of every data object in landing: this run's and those kept from before."""
    digests = {k: layout.sha256(v) for k, v in run.wanted.items()}
    for prefix in layout.DATA_PREFIXES:
        for key in lake.keys(layout.LAYER, prefix):
            if key not in digests:
                digests[key] = layout.sha256(lake.get(layout.LAYER, key))
    return digests


def _api_summary(endpoint: Endpoint, api: ApiPages, report: RunReport) -> dict[str, Any]:
    return {
        "url": endpoint.api_url,
        "pages_total": api.total_pages,
        "pages_landed": report.pages_landed,
        "pages_dead_lettered": report.pages_dead_lettered,
        "rows_total": api.rows_total,
        "rows_landed": report.rows_landed,
        "retries": sum(r.attempts for r in api.results) - len(api.results),
        "responses": {str(k): v for k, v in sorted(api.responses.items())},
        "duplicate_order_ids": len(api.order_ids) - len(set(api.order_ids)),
        "pages": api.pages,
    }


def _dead_letter_list(api: ApiPages, run: RunState, got_csv: Fetched) -> list[dict[str, Any]]:
    letters = [
        {
            "source": "web_orders_api",
            "page": d["page"],
            "key": d["deadletter_key"],
            "attempts": d["attempts"],
            "last_status": d["last_status"],
        }
        for d in api.dead
    ]
    if layout.CSV_DEADLETTER_KEY in run.wanted:
        letters.append(
            {
                "source": "store_sales_csv",
                "key": layout.CSV_DEADLETTER_KEY,
                "attempts": got_csv.attempts,
                "last_status": got_csv.statuses[-1],
            }
        )
    return letters


def _previous_runs(lake: Lake) -> list[dict[str, Any]]:
    if layout.MANIFEST_KEY not in lake.keys(layout.LAYER, layout.MANIFEST_KEY):
        return []
    try:
        runs = json.loads(lake.get(layout.LAYER, layout.MANIFEST_KEY)).get("runs", [])
    except ValueError:
        return []
    return [r for r in runs if isinstance(r, dict) and isinstance(r.get("run"), int)]
