"""Your loads for incremental-vs-full: the full reload works; the incremental load is naive.

    lakelab lab start incremental-vs-full --stack demo-alice-aws
    python -m labs.incremental_vs_full.template --stack demo-alice-aws
    lakelab lab check incremental-vs-full --stack demo-alice-aws

As given, the incremental load uses the newest `updated_at` it has seen as its watermark and
applies the feed in file order. Run it, read which checks fail and why (guide.md, "What to
observe"), then fix `incremental()`: the TODOs say where.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from labs.incremental_vs_full import table as t
from labs.incremental_vs_full.solution import source_days
from lakelab.lake import Lake, current_lake, lake_for


def _fetch(lake: Lake, layer: str, key: str, work: Path, name: str) -> str:
    path = work / name
    path.write_bytes(lake.get(layer, key))
    return t.sql_path(path)


def _write(lake: Lake, con: duckdb.DuckDBPyConnection, query: str, key: str, work: Path) -> None:
    out = work / "out.parquet"
    con.execute(f"COPY ({query} ORDER BY customer_id) TO {t.sql_path(out)} (FORMAT parquet)")
    lake.put("silver", key, out.read_bytes())


def full_reload(lake: Lake, con: duckdb.DuckDBPyConnection, day: date, work: Path) -> int:
    """Read the day's whole extract, clean it, replace the table. Returns rows read."""
    snap = _fetch(lake, "landing", t.snapshot_key(day), work, "snapshot.parquet")
    _write(lake, con, f"SELECT {t.NORMALISE} FROM read_parquet({snap})", t.FULL_KEY, work)
    row = con.execute(f"SELECT count(*) FROM read_parquet({snap})").fetchone()
    return int(row[0]) if row else 0


def initial_load(lake: Lake, con: duckdb.DuckDBPyConnection, day: date, work: Path) -> int:
    snap = _fetch(lake, "landing", t.snapshot_key(day), work, "snapshot.parquet")
    _write(lake, con, f"SELECT {t.NORMALISE} FROM read_parquet({snap})", t.INCR_KEY, work)
    # TODO (L2): the extract says which LSN it is consistent with (`_snapshot.json`); start
    # the watermark there instead of at the newest updated_at.
    top = con.execute(f"SELECT max(updated_at) FROM read_parquet({snap})").fetchone()
    mark = {"last_updated_at": str(top[0] if top else ""), "last_day": day.isoformat()}
    lake.put("silver", t.WATERMARK_KEY, json.dumps(mark).encode())
    return 0


def incremental(lake: Lake, con: duckdb.DuckDBPyConnection, day: date, work: Path) -> int:
    """Apply the day's changes to the curated table. Returns rows read from the feed."""
    mark: dict[str, Any] = json.loads(lake.get("silver", t.WATERMARK_KEY))
    feed = _fetch(lake, "landing", t.changes_key(day), work, "changes.parquet")
    current = _fetch(lake, "silver", t.INCR_KEY, work, "current.parquet")
    # TODO (L2): keep rows above the LSN watermark (not by updated_at: late changes carry
    # yesterday's updated_at), drop rows delivered twice, and keep the latest change per
    # customer by LSN (not file order).
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE latest AS SELECT * FROM read_parquet({feed})"
        f" WHERE coalesce(updated_at, committed_at) > TIMESTAMP '{mark['last_updated_at']}'"
    )
    # TODO (L2): a customer whose latest change is a delete (op = 'D') must disappear.
    _write(
        lake,
        con,
        f"SELECT * FROM read_parquet({current}) c WHERE customer_id NOT IN"
        f" (SELECT customer_id FROM latest) UNION ALL SELECT {t.NORMALISE} FROM latest",
        t.INCR_KEY,
        work,
    )
    # TODO (L2): the new watermark is the highest LSN applied (write it after the table).
    top = con.execute("SELECT max(updated_at) FROM latest").fetchone()
    new = {"last_updated_at": str(top[0] if top and top[0] else mark["last_updated_at"])}
    lake.put("silver", t.WATERMARK_KEY, json.dumps(new | {"last_day": day.isoformat()}).encode())
    row = con.execute("SELECT count(*) FROM latest").fetchone()
    return int(row[0]) if row else 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="the learner's stack (default: the shell's profile)")
    args = parser.parse_args(argv)
    lake = lake_for(args.stack) if args.stack else current_lake()
    days = source_days(lake)
    con = t.connect()
    results: dict[str, Any] = {"days": [d.isoformat() for d in days[1:]]}
    runs: dict[str, list[dict[str, Any]]] = {"full": [], "incremental": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n, day in enumerate(days):
            began = time.perf_counter()
            read = full_reload(lake, con, day, work)
            full = {"day": day.isoformat(), "seconds": time.perf_counter() - began}
            began = time.perf_counter()
            loaded = (
                initial_load(lake, con, day, work) if n == 0 else incremental(lake, con, day, work)
            )
            incr = {"day": day.isoformat(), "seconds": time.perf_counter() - began}
            if n:
                runs["full"].append(full | {"source_rows_read": read})
                runs["incremental"].append(incr | {"source_rows_read": loaded})
            print(f"{day}: full {full['seconds']:.2f}s, incremental {incr['seconds']:.2f}s")
    # TODO (L1): compare the two tables (table.checksum) and record same_result and checksum.
    results |= {part: {"days": rows} for part, rows in runs.items()}
    lake.put("gold", t.RESULTS_KEY, json.dumps(results, indent=2).encode())


if __name__ == "__main__":
    main()
