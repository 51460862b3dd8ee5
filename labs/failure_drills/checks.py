"""Grading the failure drills: the pipeline is healthy again, the data is right, and every
injected drill was handled and written up.

Expected data: the undamaged files of every delivered day (baseline plus the injected drills'
days, from the source's outbox) and their catalogues; gold is compared with DuckDB over those
files. A drill that was not injected passes its two criteria as "not injected".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any, Final

from lakelab_jobs.contract import ORDERS, PRODUCTS

from labs.failure_drills import runbook
from labs.failure_drills.drills import DRILLS, delivered_days, injected
from labs.failure_drills.generator import SCHEMA_V2, Source, products_key, source
from labs.failure_drills.job import read_status
from labs.failure_drills.solution import ARCHIVE_PREFIX
from labs.medallion.expected import Sales, mismatches, reference_gold
from labs.medallion.generator import Landing, day_batches
from labs.medallion.lakeio import (
    Snapshot,
    attempt,
    failed,
    gold_rows,
    grade_criteria,
    sha256,
)
from lakelab.labs.framework import Criterion, LabContext

NOT_INJECTED: Final = "not injected"
BASE: Final = (
    ("gold-matches", "gold daily_sales equals DuckDB over every delivered day's files"),
    ("silver-orders", "silver holds every delivered order exactly once"),
    ("pipeline-healthy", "the daily job's last run is healthy and covers every delivered day"),
)
DRILL_CRITERIA: Final = {
    "missing-source-file": "the missing POS export was delivered again and processed",
    "schema-change": "the new-layout files are archived and landed in contract format",
    "duplicate-keys": "bronze keeps the re-sent rows as received; silver counts each order once",
    "api-outage": "the missed catalogue day was backfilled from the API",
}
CRITERIA: Final = (
    *BASE,
    *(
        item
        for name, text in DRILL_CRITERIA.items()
        for item in (
            (name, text),
            (f"{name}-runbook", f"runbook entry for {name}: behaviour, cause, detection, fix"),
        )
    ),
)


class Expected:
    def __init__(self, ctx: LabContext, src: Source) -> None:
        self.ctx = ctx
        self.src = src
        self.days = delivered_days(ctx.work_dir)
        self.injected = injected(ctx.work_dir)
        self.landing: Landing = src.landing(self.days, self.days)
        self._gold: Sales | None = None

    @property
    def gold(self) -> Sales:
        if self._gold is None:
            self._gold = reference_gold(self.landing.files, self.ctx.work_dir)
        return self._gold


def _gold(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    rows = gold_rows(snap)
    expected = {"rows": len(exp.gold), "mismatched": 0}
    found = {"rows": len(rows), "mismatched": mismatches(rows, exp.gold)}
    return attempt("gold-matches", BASE[0][1], expected, found)


def _silver(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    expected = {"rows": len(exp.landing.ledger.silver(ORDERS)), "duplicate_keys": 0}
    rel = snap.parquet("silver", "orders/")
    if rel is None:
        return failed("silver-orders", BASE[1][1], expected, "no silver orders table")
    rows, keys = snap.one(f"SELECT count(*), count(DISTINCT order_id) FROM {rel}")
    found = {"rows": int(rows), "duplicate_keys": int(rows) - int(keys)}
    return attempt("silver-orders", BASE[1][1], expected, found)


def _healthy(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    days = [d.isoformat() for d in exp.days]
    expected = {"state": "healthy", "dry_run": False, "days": days, "catalogue_days": days}
    status = read_status(ctx.lake)
    if status is None:
        return failed("pipeline-healthy", BASE[2][1], expected, "no gold/_ops/status.json")
    found = {k: status.get(k) for k in expected}
    return attempt("pipeline-healthy", BASE[2][1], expected, found)


def _bronze_batches(ctx: LabContext) -> set[str]:
    return {k.split("/")[1].removeprefix("batch=") for k in ctx.lake.keys("bronze", "orders/")}


def _header(data: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(data.decode())), [])


def _missing_file(ctx: LabContext, snap: Snapshot, exp: Expected, day: date) -> Any:
    key = f"orders/{day_batches(day)[0]}.csv"
    present = key in ctx.lake.keys("landing", key)
    return {
        "delivered as sent": present
        and sha256(ctx.lake.get("landing", key)) == sha256(exp.src.files(day)[key]),
        "in bronze": day_batches(day)[0] in _bronze_batches(ctx),
    }


def _schema_change(ctx: LabContext, snap: Snapshot, exp: Expected, day: date) -> Any:
    keys = [f"orders/{b}.csv" for b in day_batches(day)]
    landing = set(ctx.lake.keys("landing", "orders/"))
    archived = set(ctx.lake.keys("landing", ARCHIVE_PREFIX))
    return {
        "landed in contract format": all(
            k in landing and _header(ctx.lake.get("landing", k)) == list(ORDERS.landing)
            for k in keys
        ),
        "original archived": all(
            f"{ARCHIVE_PREFIX}{k}" in archived
            and _header(ctx.lake.get("landing", f"{ARCHIVE_PREFIX}{k}")) == list(SCHEMA_V2)
            for k in keys
        ),
        "in bronze": set(day_batches(day)) <= _bronze_batches(ctx),
    }


def _duplicates(ctx: LabContext, snap: Snapshot, exp: Expected, day: date) -> Any:
    batches = list(day_batches(day))
    ledger = exp.landing.ledger
    received = sum(1 for r in ledger.rows["orders"] if r.batch in batches)
    rel = snap.parquet("bronze", "orders/")
    in_bronze = 0
    if rel is not None:
        listed = ", ".join(f"'{b}'" for b in batches)
        in_bronze = int(snap.one(f"SELECT count(*) FROM {rel} WHERE batch IN ({listed})")[0])
    silver = snap.parquet("silver", "orders/")
    unique = False
    if silver is not None:
        rows, keys = snap.one(f"SELECT count(*), count(DISTINCT order_id) FROM {silver}")
        unique = int(rows) == int(keys) > 0
    return {f"bronze rows (of {received} received)": in_bronze == received, "silver unique": unique}


def _outage(ctx: LabContext, snap: Snapshot, exp: Expected, day: date) -> Any:
    key = products_key(day)
    present = key in ctx.lake.keys("landing", key)
    rows = ctx.lake.get("landing", key).count(b"\n") - 1 if present else None
    wanted = len(exp.src.catalogue(day))
    silver = snap.count("silver", "products/")
    return {
        f"catalogue {day} landed ({wanted} products)": rows == wanted,
        "silver products current": silver == len(exp.landing.ledger.silver(PRODUCTS)),
    }


DRILL_CHECKS: Final[dict[str, Callable[[LabContext, Snapshot, Expected, date], Any]]] = {
    "missing-source-file": _missing_file,
    "schema-change": _schema_change,
    "duplicate-keys": _duplicates,
    "api-outage": _outage,
}


def _drill(name: str) -> Callable[[LabContext, Snapshot, Expected], Criterion]:
    def grade(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
        if name not in exp.injected:
            return attempt(name, DRILL_CRITERIA[name], NOT_INJECTED, NOT_INJECTED)
        found = DRILL_CHECKS[name](ctx, snap, exp, DRILLS[name].day)
        return attempt(name, DRILL_CRITERIA[name], dict.fromkeys(found, True), found)

    return grade


def _runbook(name: str) -> Callable[[LabContext, Snapshot, Expected], Criterion]:
    description = f"runbook entry for {name}: behaviour, cause, detection, fix"

    def grade(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
        id_ = f"{name}-runbook"
        if name not in exp.injected:
            return attempt(id_, description, NOT_INJECTED, NOT_INJECTED)
        expected: dict[str, Any] = {"designed behaviour": DRILLS[name].behaviour, "missing": []}
        text = snap.text("gold", runbook.key(name))
        if text is None:
            return failed(id_, description, expected, f"no gold/{runbook.key(name)}")
        entry = runbook.parse(name, text)
        found = {"designed behaviour": entry.behaviour, "missing": entry.missing()}
        return attempt(id_, description, expected, found)

    return grade


CHECKS: Final[tuple[Callable[[LabContext, Snapshot, Expected], Criterion], ...]] = (
    _gold,
    _silver,
    _healthy,
    *(fn for name in DRILL_CRITERIA for fn in (_drill(name), _runbook(name))),
)


def check(ctx: LabContext) -> list[Criterion]:
    return grade_criteria(
        ctx,
        "failure-drills",
        CRITERIA,
        CHECKS,
        lambda start: Expected(ctx, source(int(start["seed"]), float(start["scale"]))),
    )
