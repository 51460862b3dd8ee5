"""Grading of incremental-vs-full. Expected values are computed from the landed data, not
constants, so the checks hold at any `LAKELAB_LAB_SCALE`: the truth is the last day's full
extract, cleaned by the documented rules."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from labs.incremental_vs_full import table as t
from labs.incremental_vs_full.solution import source_days
from lakelab.labs.framework import Criterion, LabContext

# Every criterion, for the report before `lakelab lab start` has landed anything.
CRITERIA = (
    ("full-table", "the full-reload table equals the cleaned last extract"),
    ("incremental-table", "the incremental table equals the cleaned last extract"),
    ("row-count", "incremental table: one row per live customer"),
    ("deletes", "customers deleted in the feed are gone"),
    ("late-changes", "late-arriving changes are applied"),
    ("watermark", "the watermark holds the last LSN applied"),
    ("results", "results.json times both loads for every day"),
    ("same-result", "both loads record the same checksum"),
    ("reads-less", "the incremental load reads fewer source rows"),
)


def _load(ctx: LabContext, layer: str, key: str, folder: Path, name: str) -> Path | None:
    if key not in ctx.lake.keys(layer, key):
        return None
    path = folder / name
    path.write_bytes(ctx.lake.get(layer, key))
    return path


def _json(ctx: LabContext, layer: str, key: str) -> Any:
    if key not in ctx.lake.keys(layer, key):
        return None
    try:
        return json.loads(ctx.lake.get(layer, key))
    except ValueError:
        return None


def _table_checksum(con: duckdb.DuckDBPyConnection, path: Path | None) -> str:
    if path is None:
        return "missing"
    try:
        return t.checksum(con, f"read_parquet({t.sql_path(path)})")[1]
    except duckdb.Error as exc:
        return f"unreadable: {str(exc).splitlines()[0][:120]}"


def check(ctx: LabContext) -> list[Criterion]:
    days = source_days(ctx.lake)
    if len(days) < 2:
        return [
            Criterion.holds(cid, text, False, "no CRM extracts in landing", expected="see guide")
            for cid, text in CRITERIA
        ]
    last = days[-1]
    out: list[Criterion] = []
    con = t.connect()
    with tempfile.TemporaryDirectory(dir=ctx.work_dir) as tmp:
        folder = Path(tmp)
        snap = _load(ctx, "landing", t.snapshot_key(last), folder, "truth.parquet")
        assert snap is not None
        con.execute(
            f"CREATE TEMP TABLE truth AS SELECT {t.NORMALISE} FROM read_parquet({t.sql_path(snap)})"
        )
        truth_rows, truth_sum = t.checksum(con, "truth")
        feed_files = [
            _load(ctx, "landing", t.changes_key(d), folder, f"changes-{n}.parquet")
            for n, d in enumerate(days[1:])
        ]
        files = ", ".join(t.sql_path(p) for p in feed_files if p is not None)
        con.execute(f"CREATE TEMP TABLE feed AS SELECT * FROM read_parquet([{files}])")
        full = _load(ctx, "silver", t.FULL_KEY, folder, "full.parquet")
        incr = _load(ctx, "silver", t.INCR_KEY, folder, "incremental.parquet")
        full_sum, incr_sum = _table_checksum(con, full), _table_checksum(con, incr)

        out.append(
            Criterion.equal(
                "full-table",
                f"silver/{t.FULL_KEY} equals the cleaned extract of {last} (rows:checksum)",
                truth_sum,
                full_sum,
            )
        )
        out.append(
            Criterion.equal(
                "incremental-table",
                f"silver/{t.INCR_KEY} equals the cleaned extract of {last} (rows:checksum)",
                truth_sum,
                incr_sum,
            )
        )
        out.extend(_details(con, incr, truth_rows))

    mark = _json(ctx, "silver", t.WATERMARK_KEY) or {}
    max_lsn = con.execute("SELECT max(lsn) FROM feed").fetchone()
    out.append(
        Criterion.equal(
            "watermark",
            f"silver/{t.WATERMARK_KEY} holds the last LSN applied and the last day",
            {"last_lsn": int(max_lsn[0]) if max_lsn else None, "last_day": last.isoformat()},
            {"last_lsn": mark.get("last_lsn"), "last_day": mark.get("last_day")},
        )
    )
    out.extend(_results(ctx, days, truth_sum))
    return out


# The feed as applied: each customer's latest change, redeliveries removed.
_LATEST = """
    f AS (SELECT DISTINCT * FROM feed),
    latest AS (SELECT * FROM f QUALIFY row_number() OVER
               (PARTITION BY customer_id ORDER BY lsn DESC) = 1)"""


def _details(con: duckdb.DuckDBPyConnection, incr: Path | None, truth_rows: int) -> list[Criterion]:
    """Diagnostics for the incremental table: row count, deletes, late changes, duplicates."""
    facts = con.execute(
        f"""
        WITH {_LATEST}
        SELECT
          (SELECT count(*) FROM latest WHERE op = 'D'),
          (SELECT count(*) FROM latest WHERE op <> 'D'
             AND CAST(updated_at AS DATE) < CAST(committed_at AS DATE))
        """
    ).fetchone()
    assert facts is not None
    deleted, late = int(facts[0]), int(facts[1])
    if incr is None:
        return [
            Criterion.equal(
                "row-count", "incremental table: one row per live customer", truth_rows, "missing"
            ),
            Criterion.equal(
                "deletes", f"the {deleted} customers deleted in the feed are gone", 0, "missing"
            ),
            Criterion.equal("late-changes", "late-arriving changes are applied", late, "missing"),
        ]
    try:
        found = _found(con, incr)
    except duckdb.Error as exc:
        msg = f"unreadable: {str(exc).splitlines()[0][:120]}"
        return [
            Criterion.equal(
                "row-count", "incremental table: one row per live customer", truth_rows, msg
            )
        ]
    rows, distinct, still_there, late_applied = found
    return [
        Criterion.equal(
            "row-count",
            "incremental table: one row per live customer (no duplicates from redelivery)",
            {"rows": truth_rows, "distinct_ids": truth_rows},
            {"rows": rows, "distinct_ids": distinct},
        ),
        Criterion.equal(
            "deletes",
            f"the {deleted} customers deleted in the feed are gone from the incremental table",
            0,
            still_there,
        ),
        Criterion.equal(
            "late-changes",
            "late-arriving changes (yesterday's updated_at, committed today) are applied",
            late,
            late_applied,
        ),
    ]


def _found(con: duckdb.DuckDBPyConnection, incr: Path) -> tuple[int, int, int, int]:
    """(rows, distinct ids, deleted customers still there, late changes applied) of the
    learner's incremental table."""
    got = con.execute(
        f"""
        WITH c AS (SELECT * FROM read_parquet({t.sql_path(incr)})), {_LATEST}
        SELECT
          (SELECT count(*) FROM c),
          (SELECT count(DISTINCT customer_id) FROM c),
          (SELECT count(*) FROM c JOIN latest l USING (customer_id) WHERE l.op = 'D'),
          (SELECT count(*) FROM c JOIN latest l USING (customer_id)
             WHERE l.op <> 'D' AND CAST(l.updated_at AS DATE) < CAST(l.committed_at AS DATE)
               AND lower(trim(c.status)) = lower(trim(l.status))
               AND CAST(c.updated_at AS TIMESTAMP) = CAST(l.updated_at AS TIMESTAMP))
        """
    ).fetchone()
    assert got is not None
    rows, distinct, still_there, late_applied = (int(v) for v in got)
    return rows, distinct, still_there, late_applied


def _results(ctx: LabContext, days: list[Any], truth_sum: str) -> list[Criterion]:
    res = _json(ctx, "gold", t.RESULTS_KEY)
    change_days = [d.isoformat() for d in days[1:]]
    if not isinstance(res, dict):
        return [
            Criterion.holds(cid, text, False, "no results.json", expected=f"gold/{t.RESULTS_KEY}")
            for cid, text in CRITERIA
            if cid in ("results", "same-result", "reads-less")
        ]
    found: dict[str, Any] = {}
    ok = True
    for part in ("full", "incremental"):
        part_days = (res.get(part) or {}).get("days") or []
        listed = [d.get("day") for d in part_days if isinstance(d, dict)]
        timed = all(
            isinstance(d, dict) and isinstance(d.get("seconds"), int | float) and d["seconds"] > 0
            for d in part_days
        )
        found[part] = {"days": listed, "timed": timed}
        ok = ok and listed == change_days and timed
    same = res.get("same_result") is True and res.get("checksum") == truth_sum
    full_days = (res.get("full") or {}).get("days") or []
    incr_days = (res.get("incremental") or {}).get("days") or []
    read_less = bool(incr_days) and all(
        isinstance(i, dict)
        and isinstance(f, dict)
        and int(i.get("source_rows_read", 1 << 62)) < int(f.get("source_rows_read", 0))
        for f, i in zip(full_days, incr_days, strict=False)
    )
    return [
        Criterion.holds(
            "results",
            f"gold/{t.RESULTS_KEY} times both loads for every day of changes",
            ok,
            found,
            expected={p: {"days": change_days, "timed": True} for p in ("full", "incremental")},
        ),
        Criterion.holds(
            "same-result",
            "results.json records the same checksum for both loads, equal to the truth",
            same,
            {"same_result": res.get("same_result"), "checksum": res.get("checksum")},
            expected={"same_result": True, "checksum": truth_sum},
        ),
        Criterion.holds(
            "reads-less",
            "the incremental load reads fewer source rows than the full reload, every day",
            read_less,
            [
                (i.get("source_rows_read"), f.get("source_rows_read"))
                for f, i in zip(full_days, incr_days, strict=False)
                if isinstance(i, dict) and isinstance(f, dict)
            ],
            expected="incremental < full on each day",
        ),
    ]
