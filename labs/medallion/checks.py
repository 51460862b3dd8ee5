"""Grading the medallion lab: every layer against what the generated data implies.

Expected values come from two places that do not involve Spark: the generator's ledger (the
fate of every landed row: valid, or the reason silver must reject it) and DuckDB over the
same landing CSVs with the contract's rules (`expected.reference_gold`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any, Final

from lakelab_jobs.contract import ENTITIES as CONTRACT
from lakelab_jobs.contract import LINEAGE

from labs.medallion.expected import Sales, mismatches, reference_gold, totals
from labs.medallion.generator import Landing, medallion
from labs.medallion.lakeio import (
    ENTITIES,
    Snapshot,
    attempt,
    failed,
    gold_rows,
    grade_criteria,
    jsonable,
    manifests,
    since_last_full,
)
from lakelab.labs.framework import Criterion, LabContext

CRITERIA: Final = (
    ("landing", "the three days of POS and web exports, CRM and catalogue files are in landing"),
    (
        "bronze-lineage",
        "bronze keeps every landing column plus _source_file, _ingested_at, _run_id",
    ),
    ("bronze-rows", "bronze holds every landed row, as received"),
    ("silver-rows", "silver holds one row per valid business key"),
    ("silver-unique", "silver has no duplicate business keys"),
    ("quarantine-reasons", "every rejected row is in quarantine with its reason code"),
    ("reconciliation", "manifests: rows in = silver + quarantine + dropped duplicates"),
    ("gold-matches", "gold daily_sales equals an independent DuckDB computation, row by row"),
    ("gold-totals", "gold orders, units and revenue add up to the expected totals"),
    ("catalog", "bronze, silver and gold tables are registered and queryable (lakelab sql)"),
)


class Expected:
    def __init__(self, ctx: LabContext, landing: Landing) -> None:
        self.landing = landing
        self.ledger = landing.ledger
        self._gold: Sales | None = None
        self._ctx = ctx

    @property
    def gold(self) -> Sales:
        if self._gold is None:
            self._gold = reference_gold(self.landing.files, self._ctx.work_dir)
        return self._gold

    def files(self, entity: str) -> list[str]:
        return sorted(
            PurePosixPath(k).name for k in self.landing.files if k.startswith(f"{entity}/")
        )


def _landing(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    expected = {k: exp.landing.rows_in(k) for k in sorted(exp.landing.files)}
    present = {k for e in ENTITIES for k in ctx.lake.keys("landing", f"{e}/")}
    found: dict[str, int | None] = {}
    for key in expected:
        found[key] = ctx.lake.get("landing", key).count(b"\n") - 1 if key in present else None
    return attempt("landing", CRITERIA[0][1], expected, found)


def _bronze_lineage(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    expected: dict[str, Any] = {}
    found: dict[str, Any] = {}
    for entity in ENTITIES:
        wanted = [*CONTRACT[entity].landing, *LINEAGE, "batch"]
        expected[entity] = {"missing_columns": [], "source_files": exp.files(entity)}
        rel = snap.parquet("bronze", f"{entity}/")
        if rel is None:
            found[entity] = "no bronze table"
            continue
        columns = snap.columns("bronze", f"{entity}/")
        sources = snap.rows(f"SELECT DISTINCT _source_file FROM {rel} WHERE _run_id IS NOT NULL")
        found[entity] = {
            "missing_columns": [c for c in wanted if c not in columns],
            "source_files": sorted(PurePosixPath(str(s[0])).name for s in sources),
        }
    return attempt("bronze-lineage", CRITERIA[1][1], expected, found)


def _bronze_rows(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    expected = {e: exp.ledger.landing_rows(e) for e in ENTITIES}
    found = {e: snap.count("bronze", f"{e}/") for e in ENTITIES}
    return attempt("bronze-rows", CRITERIA[2][1], expected, found)


def _silver_rows(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    expected = {e: len(exp.ledger.silver(CONTRACT[e])) for e in ENTITIES}
    found = {e: snap.count("silver", f"{e}/") for e in ENTITIES}
    return attempt("silver-rows", CRITERIA[3][1], expected, found)


def _silver_unique(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    found: dict[str, int | str] = {}
    for e in ENTITIES:
        rel = snap.parquet("silver", f"{e}/")
        key = CONTRACT[e].key
        if rel is None:
            found[e] = "no silver table"
            continue
        rows, keys = snap.one(f"SELECT count(*), count(DISTINCT {key}) FROM {rel}")
        found[e] = int(rows) - int(keys)
    return attempt("silver-unique", CRITERIA[4][1], dict.fromkeys(ENTITIES, 0), found)


def _quarantine(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    expected = {e: exp.ledger.quarantine(e) for e in ENTITIES}
    found: dict[str, dict[str, int]] = {}
    for e in ENTITIES:
        rel = snap.parquet("quarantine", f"{e}/")
        rows = (
            []
            if rel is None
            else snap.rows(
                f"SELECT coalesce(reason_code, 'NULL'), count(*) FROM {rel} GROUP BY 1 ORDER BY 1"
            )
        )
        found[e] = {str(r): int(n) for r, n in rows}
    return attempt("quarantine-reasons", CRITERIA[5][1], expected, found)


def _reconciliation(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    runs = since_last_full(manifests(ctx.lake, "silver"))
    expected: dict[str, Any] = {}
    found: dict[str, Any] = {}
    for e in ENTITIES:
        expected[e] = {
            "rows_in": exp.ledger.landing_rows(e),
            "to_silver_or_dropped": exp.ledger.valid_rows(e),
            "quarantined": sum(exp.ledger.quarantine(e).values()),
            "balanced": True,
        }
        tables = [m["tables"][e] for m in runs if e in m.get("tables", {})]
        found[e] = {
            "rows_in": sum(t["rows_in"] for t in tables),
            "to_silver_or_dropped": sum(t["to_silver"] + t["duplicates_dropped"] for t in tables),
            "quarantined": sum(t["quarantined"] for t in tables),
            "balanced": bool(tables) and all(t.get("reconciled") for t in tables),
        }
    return attempt("reconciliation", CRITERIA[6][1], expected, found)


def _gold_matches(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    found_rows = gold_rows(snap)
    expected = {"rows": len(exp.gold), "mismatched": 0}
    found = {"rows": len(found_rows), "mismatched": mismatches(found_rows, exp.gold)}
    return attempt("gold-matches", CRITERIA[7][1], expected, found)


def _gold_totals(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    found_rows = gold_rows(snap)
    if not found_rows:
        return failed("gold-totals", CRITERIA[8][1], totals(exp.gold), "no gold daily_sales table")
    return attempt("gold-totals", CRITERIA[8][1], totals(exp.gold), jsonable(totals(found_rows)))


def _catalog(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    from lakelab.sql import query

    profile = ctx.lake.profile
    db = {layer: profile.databases.get(layer, "") for layer in ("bronze", "silver", "gold")}
    gold = totals(exp.gold)
    expected = {
        f"{db['bronze']}.orders": exp.ledger.landing_rows("orders"),
        f"{db['silver']}.orders": len(exp.ledger.silver(CONTRACT["orders"])),
        f"{db['gold']}.daily_sales": [gold["rows"], gold["revenue"]],
    }
    result = query(
        profile,
        f'SELECT (SELECT count(*) FROM "{db["bronze"]}".orders),'
        f' (SELECT count(*) FROM "{db["silver"]}".orders),'
        f' (SELECT count(*) FROM "{db["gold"]}".daily_sales),'
        f' (SELECT sum(revenue) FROM "{db["gold"]}".daily_sales)',
    )
    bronze, silver, rows, revenue = result.rows[0]
    found = {
        f"{db['bronze']}.orders": int(bronze),
        f"{db['silver']}.orders": int(silver),
        f"{db['gold']}.daily_sales": [int(rows), str(revenue)],
    }
    return attempt("catalog", CRITERIA[9][1], expected, found)


CHECKS: Final[tuple[Callable[[LabContext, Snapshot, Expected], Criterion], ...]] = (
    _landing,
    _bronze_lineage,
    _bronze_rows,
    _silver_rows,
    _silver_unique,
    _quarantine,
    _reconciliation,
    _gold_matches,
    _gold_totals,
    _catalog,
)


def check(ctx: LabContext) -> list[Criterion]:
    return grade_criteria(
        ctx,
        "medallion",
        CRITERIA,
        CHECKS,
        lambda start: Expected(ctx, medallion(int(start["seed"]), float(start["scale"]))),
    )


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


__all__ = ["CRITERIA", "check"]
