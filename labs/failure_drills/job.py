"""The daily job of the failure drills: what a scheduler would run every morning.

    python -m labs.failure_drills job --stack S            # the real run
    python -m labs.failure_drills job --stack S --dry-run  # diagnose: nothing landed or run

Steps, each with the behaviour it was designed for:

1. **Catalogue** (`products/<day>.csv` from the catalogue API) for every announced day that
   has none yet, with 3 attempts and exponential backoff. If the API stays unreachable the
   job goes on with the catalogue it already has and reports itself *degraded*: orders must
   not wait for reference data that changes slowly. A later run backfills the missing days.
2. **Preflight** of every file the control files (`landing/_control/<day>.json`) announce and
   bronze has not ingested yet: the file is there, its header is the data contract's, its
   rows are the announced count. Any problem **fails the run loudly** before anything is
   processed: a gold table that silently misses a store's day, or reads shifted columns,
   is worse than a late one.
3. **The medallion run** (`lakelab run`'s pipeline, `lakelab.twinrun.run_on_twin`); its own
   reconciliation fails the run when rows do not add up.
4. **Postflight**: duplicate business keys per new batch are reported (silver keeps one row
   per key, the latest by `updated_at`, so duplicates *heal*; the count says how much).

Every run writes `gold/_ops/status.json`: state (`healthy`, `degraded` or `failed`), the
problems found, findings, and the last runs' history.
"""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

from lakelab_jobs.contract import ORDERS, PRODUCTS

from labs.failure_drills.generator import (
    CONTROL_PREFIX,
    Source,
    control_key,
    products_key,
    source,
)
from labs.failure_drills.source import catalogue_api
from labs.medallion.generator import csv_bytes
from labs.medallion.lakeio import START_FILE, connect, sql_path
from lakelab.errors import UserError
from lakelab.lake import Lake

STATUS_KEY: Final = "_ops/status.json"
ATTEMPTS: Final = 3
BACKOFF_S: Final = 0.25  # 0.25 s, 0.5 s: short for a lab; minutes in production
HISTORY: Final = 30


@dataclass(frozen=True)
class Problem:
    kind: str  # missing-file | schema | row-count | source-unreachable
    day: str
    key: str
    detail: str


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def control_days(lake: Lake) -> list[date]:
    keys = lake.keys("landing", CONTROL_PREFIX)
    return sorted(
        date.fromisoformat(k.removeprefix(CONTROL_PREFIX).removesuffix(".json"))
        for k in keys
        if k.endswith(".json")
    )


def ingested_batches(lake: Lake) -> set[str]:
    """Orders batches bronze already holds (`bronze/orders/batch=<b>/`)."""
    return {
        k.split("/")[1].removeprefix("batch=")
        for k in lake.keys("bronze", "orders/batch=")
        if k.count("/") >= 2
    }


def preflight(lake: Lake, days: list[date]) -> list[Problem]:
    """Announced files that are absent, not in the contract's format, or short."""
    problems: list[Problem] = []
    present = set(lake.keys("landing", "orders/")) | set(lake.keys("landing", "customers/"))
    done = ingested_batches(lake)
    for day in days:
        control = json.loads(lake.get("landing", control_key(day)))
        for key, rows in sorted(control["files"].items()):
            batch = key.rsplit("/", 1)[-1].removesuffix(".csv")
            if key.startswith("orders/") and batch in done:
                continue
            if key not in present:
                problems.append(
                    Problem(
                        "missing-file",
                        day.isoformat(),
                        key,
                        f"{key} ({rows} rows), announced by {CONTROL_PREFIX}{day}.json,"
                        " has not arrived",
                    )
                )
                continue
            text = lake.get("landing", key).decode()
            header = next(csv.reader(io.StringIO(text)), [])
            entity = key.split("/", 1)[0]
            wanted = list(ORDERS.landing) if entity == "orders" else None
            if wanted is not None and header != wanted:
                extra = [c for c in header if c not in wanted]
                missing = [c for c in wanted if c not in header]
                problems.append(
                    Problem(
                        "schema",
                        day.isoformat(),
                        key,
                        f"{key} has {len(header)} columns, the contract {len(wanted)}:"
                        f" unexpected {extra or 'none'}, missing {missing or 'none'}",
                    )
                )
            elif text.count("\n") - 1 != rows:
                problems.append(
                    Problem(
                        "row-count",
                        day.isoformat(),
                        key,
                        f"{key} has {text.count(chr(10)) - 1} rows, the control file says {rows}",
                    )
                )
    return problems


def fetch_catalogue(base: str, day: date) -> list[dict[str, str]]:
    url = f"{base}/v1/catalogue?as_of={day.isoformat()}"
    with urllib.request.urlopen(url, timeout=5) as response:
        products: list[dict[str, str]] = json.loads(response.read())["products"]
    return products


def ingest_catalogue(
    lake: Lake,
    src: Source,
    work_dir: Path,
    days: list[date],
    log: Callable[[str], None],
    land: bool = True,
) -> tuple[list[str], list[Problem]]:
    """Land the catalogue of each day that has none; (days landed, days unreachable)."""
    have = set(lake.keys("landing", "products/"))
    todo = [d for d in days if products_key(d) not in have]
    landed: list[str] = []
    problems: list[Problem] = []
    if not todo:
        return landed, problems
    with catalogue_api(src, work_dir) as base:
        for day in todo:
            error: Exception | None = None
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    products = fetch_catalogue(base, day)
                    break
                except (urllib.error.URLError, OSError) as exc:
                    error = exc
                    log(f"  catalogue {day}: attempt {attempt} failed ({_reason(exc)})")
                    if attempt < ATTEMPTS:
                        time.sleep(BACKOFF_S * 2 ** (attempt - 1))
            else:
                problems.append(
                    Problem(
                        "source-unreachable",
                        day.isoformat(),
                        products_key(day),
                        f"catalogue API {base} unreachable for as_of={day} after {ATTEMPTS}"
                        f" attempts: {_reason(error)}",
                    )
                )
                continue
            if land:
                lake.put("landing", products_key(day), csv_bytes(PRODUCTS.landing, products))
            landed.append(day.isoformat())
    return landed, problems


def _reason(exc: Exception | None) -> str:
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc)


def duplicate_findings(root: Path, batches: list[str]) -> list[dict[str, Any]]:
    """Per new orders batch: rows received and distinct order ids (bronze, in the mirror)."""
    files = [
        p for b in batches for p in (root / "bronze" / "orders" / f"batch={b}").glob("*.parquet")
    ]
    if not files:
        return []
    con = connect()
    try:
        rows = con.execute(
            "SELECT batch, count(*), count(DISTINCT order_id) FROM read_parquet(["
            + ", ".join(sql_path(p) for p in files)
            + "], hive_partitioning = true) GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    return [
        {
            "kind": "duplicate-keys",
            "batch": str(b),
            "rows": int(n),
            "distinct_keys": int(k),
            "detail": f"{b}: {int(n) - int(k)} rows repeat an order id already in the batch;"
            " silver keeps one row per order (latest updated_at)",
        }
        for b, n, k in rows
        if int(n) > int(k)
    ]


def load_source(work_dir: Path) -> Source:
    path = work_dir / START_FILE
    if not path.is_file():
        raise UserError(
            "the failure drills are not started: run `lakelab lab start failure-drills`"
        )
    start = json.loads(path.read_text())
    return source(int(start["seed"]), float(start["scale"]))


def daily_job(
    stack: str,
    lake: Lake,
    work_dir: Path,
    log: Callable[[str], None] = print,
    dry_run: bool = False,
) -> dict[str, Any]:
    """One run of the daily job; returns (and records) its status."""
    from lakelab_jobs.jobargs import generated_run_id

    src = load_source(work_dir)
    run_id = generated_run_id("daily-dry" if dry_run else "daily")
    days = control_days(lake)
    status: dict[str, Any] = {
        "run_id": run_id,
        "dry_run": dry_run,
        "started_at": now(),
        "days": [d.isoformat() for d in days],
        "problems": [],
        "findings": [],
        "error": None,
    }
    try:
        landed, unreachable = ingest_catalogue(lake, src, work_dir, days, log, land=not dry_run)
        if landed and not dry_run:
            log(f"catalogue landed for {', '.join(landed)}")
        problems = preflight(lake, days)
        status["problems"] = [asdict(p) for p in (*unreachable, *problems)]
        for p in status["problems"]:
            log(f"  {p['kind']}: {p['detail']}")
        if problems:
            raise RuntimeError(f"preflight failed: {len(problems)} problem(s), nothing processed")
        if not dry_run:
            from lakelab.twinrun import mirror_root, run_on_twin

            result = run_on_twin(stack, mode="incremental", log=log)
            bronze = next(m for m in result.manifests if m["stage"] == "bronze")
            new = list(bronze["tables"]["orders"]["batches"])
            status["findings"] = duplicate_findings(mirror_root(stack), new)
            status["pipeline_run"] = result.run_id
        status["state"] = "degraded" if unreachable else "healthy"
    except Exception as exc:
        status["state"] = "failed"
        status["error"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:300]}"
    have = set(lake.keys("landing", "products/"))
    status["catalogue_days"] = [d.isoformat() for d in days if products_key(d) in have]
    status["finished_at"] = now()
    record(lake, status)
    log(f"daily job {run_id}: {status['state']}" + (" (dry run)" if dry_run else ""))
    return status


def record(lake: Lake, status: dict[str, Any]) -> None:
    previous = read_status(lake) or {}
    history = [*previous.get("history", []), _brief(status)][-HISTORY:]
    doc = {**status, "history": history}
    lake.put("gold", STATUS_KEY, (json.dumps(doc, indent=2) + "\n").encode())


def _brief(status: dict[str, Any]) -> dict[str, Any]:
    return {
        "run_id": status["run_id"],
        "dry_run": status["dry_run"],
        "state": status["state"],
        "finished_at": status["finished_at"],
        "problems": [f"{p['kind']}: {p['key']}" for p in status["problems"]],
        "findings": len(status["findings"]),
        "error": status["error"],
    }


def read_status(lake: Lake) -> dict[str, Any] | None:
    if STATUS_KEY not in lake.keys("gold", STATUS_KEY):
        return None
    doc: dict[str, Any] = json.loads(lake.get("gold", STATUS_KEY))
    return doc
