"""Reference solution of incremental-vs-full: the same curated table built two ways, timed.

**Full reload** (every day): read the day's full extract, clean it, replace the curated table.
Simple and self-healing (each run rebuilds everything), but it reads every row every day.

**Incremental (CDC with an LSN watermark)**: an initial full load records the LSN the extract
is consistent with; each day then reads only the change-feed files it has not seen, keeps the
rows above the watermark, and merges them:

1. drop exact duplicates (the feed delivers at least once);
2. keep the latest change per customer by LSN, not by `updated_at` (late changes carry
   yesterday's `updated_at` but were committed today) and not by file order;
3. remove those customers from the curated table, add back the ones whose latest change is not
   a delete;
4. write the table, then move the watermark. Data first, watermark second: a crash in between
   re-applies the same after-images next time, which gives the same table (the merge is
   idempotent).

Both approaches clean rows with the same SQL (`table.NORMALISE`) and write the table sorted by
`customer_id`. Every day the two tables are compared (same bytes, or else the same rows by
checksum), and after the last day their checksums are recorded; the timings (lake reads and
writes included) go to `gold/incremental_vs_full/results.json`.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from labs.incremental_vs_full import table as t
from lakelab.errors import UserError
from lakelab.lake import Lake

# Reading the source here is a Parquet download from the same lake, which flatters the full
# reload. A CRM database exports far slower over JDBC; the results also show what the extract
# would take at this (assumed, adjustable) rate.
SOURCE_ROWS_PER_SECOND = 25_000


@dataclass
class DayResult:
    day: str
    seconds: float  # the whole load, lake reads and writes included
    extract_seconds: float  # reading the source: the extract or the new feed rows
    source_rows_read: int
    source_bytes_read: int
    rows_written: int
    bytes_written: int
    sha256: str = ""  # of the Parquet file written
    checksum: str = ""  # rows:checksum of the table (see table.checksum)

    @property
    def modelled_source_seconds(self) -> float:
        return self.source_rows_read / SOURCE_ROWS_PER_SECOND


def source_days(lake: Lake) -> list[date]:
    """The days with a full extract, in order (the first is the initial load)."""
    days = {t.day_in(k) for k in lake.keys("landing", t.SNAPSHOTS) if k.endswith(".parquet")}
    return sorted(d for d in days if d is not None)


class Loader:
    def __init__(self, lake: Lake, work: Path, con: duckdb.DuckDBPyConnection) -> None:
        self.lake, self.work, self.con = lake, work, con

    def fetch(self, layer: str, key: str, name: str) -> tuple[Path, int]:
        data = self.lake.get(layer, key)
        path = self.work / name
        path.write_bytes(data)
        return path, len(data)

    def local(self, key: str) -> Path:
        """The local copy of the last table published under `key`."""
        return self.work / ("full.parquet" if key == t.FULL_KEY else "incremental.parquet")

    def publish(self, query: str, key: str) -> tuple[int, int]:
        """Write the query's rows (sorted) as the curated table; returns (rows, bytes)."""
        out = self.local(key)
        self.con.execute(
            f"COPY ({query} ORDER BY customer_id) TO {t.sql_path(out)}"
            " (FORMAT parquet, COMPRESSION zstd)"
        )
        data = out.read_bytes()
        self.lake.put("silver", key, data)
        return self.count(f"read_parquet({t.sql_path(out)})"), len(data)

    def count(self, relation: str) -> int:
        row = self.con.execute(f"SELECT count(*) FROM {relation}").fetchone()
        return int(row[0]) if row else 0

    def checksum(self, key: str) -> str:
        """Checksum of the table last published under `key` (its local copy)."""
        return t.checksum(self.con, f"read_parquet({t.sql_path(self.local(key))})")[1]

    def sha256(self, key: str) -> str:
        return hashlib.sha256(self.local(key).read_bytes()).hexdigest()

    def full(self, day: date, key: str = t.FULL_KEY) -> DayResult:
        start = time.perf_counter()
        snap, size = self.fetch("landing", t.snapshot_key(day), "snapshot.parquet")
        rows_read = self.count(f"read_parquet({t.sql_path(snap)})")
        extracted = time.perf_counter()
        rows, written = self.publish(
            f"SELECT {t.NORMALISE} FROM read_parquet({t.sql_path(snap)})", key
        )
        end = time.perf_counter()
        return DayResult(
            day.isoformat(), end - start, extracted - start, rows_read, size, rows, written
        )

    def initial(self, day: date) -> DayResult:
        """The incremental pipeline's first load: a full load plus the starting watermark."""
        result = self.full(day, t.INCR_KEY)
        meta = json.loads(self.lake.get("landing", t.snapshot_meta_key(day)))
        self.save_watermark(int(meta["as_of_lsn"]), day)
        return result

    def save_watermark(self, lsn: int, day: date) -> None:
        doc = {"last_lsn": lsn, "last_day": day.isoformat()}
        self.lake.put("silver", t.WATERMARK_KEY, json.dumps(doc, indent=2).encode() + b"\n")

    def incremental(self, day: date) -> DayResult:
        start = time.perf_counter()
        mark = json.loads(self.lake.get("silver", t.WATERMARK_KEY))
        last_lsn, last_day = int(mark["last_lsn"]), date.fromisoformat(mark["last_day"])
        # Files we have not seen (by day), then rows we have not applied (by LSN).
        keys = [
            k
            for k in self.lake.keys("landing", t.CHANGES)
            if k.endswith(".parquet") and (d := t.day_in(k)) is not None and last_day < d <= day
        ]
        files, size = [], 0
        for i, key in enumerate(sorted(keys)):
            path, n = self.fetch("landing", key, f"changes-{i}.parquet")
            files.append(t.sql_path(path))
            size += n
        con = self.con
        if files:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE feed AS SELECT DISTINCT *"
                f" FROM read_parquet([{', '.join(files)}]) WHERE lsn > {last_lsn}"
            )
        else:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE feed AS SELECT 0::BIGINT AS lsn, ''::VARCHAR AS op,"
                " 0::BIGINT AS customer_id WHERE false"
            )
        read = con.execute("SELECT count(*), max(lsn) FROM feed").fetchone()
        assert read is not None
        rows_read, max_lsn = int(read[0]), read[1]
        extracted = time.perf_counter()
        current, _ = self.fetch("silver", t.INCR_KEY, "current.parquet")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE latest AS SELECT * FROM feed"
            " QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY lsn DESC) = 1"
        )
        cur = f"read_parquet({t.sql_path(current)})"
        if rows_read:
            query = (
                f"SELECT * FROM {cur} c WHERE NOT EXISTS"
                " (SELECT 1 FROM latest l WHERE l.customer_id = c.customer_id)"
                f" UNION ALL SELECT {t.NORMALISE} FROM latest WHERE op <> 'D'"
            )
        else:
            query = f"SELECT * FROM {cur}"
        rows, written = self.publish(query, t.INCR_KEY)
        self.save_watermark(int(max_lsn) if max_lsn is not None else last_lsn, day)
        end = time.perf_counter()
        return DayResult(
            day.isoformat(), end - start, extracted - start, rows_read, size, rows, written
        )


def run(lake: Lake, work_dir: Path, log: Callable[[str], None] = print) -> dict[str, Any]:
    days = source_days(lake)
    if len(days) < 2:
        raise UserError(
            "no CRM extracts in landing: run `lakelab lab start incremental-vs-full` first"
        )
    source = json.loads(lake.get("landing", t.SOURCE_KEY))
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        loader = Loader(lake, Path(tmp), t.connect())
        full, incr, same = _load_both_ways(loader, days, log)
    results = _results(lake, source, days, full, incr, same)
    lake.put("gold", t.RESULTS_KEY, json.dumps(results, indent=2).encode() + b"\n")
    for line in t.results_table(results):
        log(line)
    return results


def _load_both_ways(
    loader: Loader, days: list[date], log: Callable[[str], None]
) -> tuple[list[DayResult], list[DayResult], list[bool]]:
    """Each day by a full reload and incrementally (the first day: the initial load);
    whether the two tables are the same, day by day."""
    full: list[DayResult] = []
    incr: list[DayResult] = []
    same: list[bool] = []
    for n, day in enumerate(days):
        f = loader.full(day)
        i = loader.initial(day) if n == 0 else loader.incremental(day)
        f.sha256, i.sha256 = loader.sha256(t.FULL_KEY), loader.sha256(t.INCR_KEY)
        if f.sha256 != i.sha256 or n == len(days) - 1:  # same bytes: same rows
            f.checksum, i.checksum = loader.checksum(t.FULL_KEY), loader.checksum(t.INCR_KEY)
        same.append(f.sha256 == i.sha256 or f.checksum == i.checksum)
        full.append(f)
        incr.append(i)
        log(
            f"{day}: full {f.seconds:.2f}s ({f.source_rows_read:,} rows read),"
            f" {'initial' if n == 0 else 'incremental'} {i.seconds:.2f}s"
            f" ({i.source_rows_read:,} rows read),"
            f" {'same table' if same[-1] else 'DIFFERENT tables'}"
        )
    return full, incr, same


def _doc(d: DayResult) -> dict[str, Any]:
    out = asdict(d)
    for k in ("seconds", "extract_seconds"):
        out[k] = round(out[k], 3)
    out["modelled_source_seconds"] = round(d.modelled_source_seconds, 3)
    return out


def _results(
    lake: Lake,
    source: dict[str, Any],
    days: list[date],
    full: list[DayResult],
    incr: list[DayResult],
    same: list[bool],
) -> dict[str, Any]:
    daily_full = sum(d.seconds for d in full[1:])
    daily_incr = sum(d.seconds for d in incr[1:])
    return {
        "customers": source.get("customers_day0"),
        "status_changes_per_day": source.get("status_changes_per_day"),
        "initial_day": days[0].isoformat(),
        "days": [d.isoformat() for d in days[1:]],
        "full": {
            "initial": _doc(full[0]),
            "days": [_doc(d) for d in full[1:]],
            "daily_seconds": round(daily_full, 3),
        },
        "incremental": {
            "initial": _doc(incr[0]),
            "days": [_doc(d) for d in incr[1:]],
            "daily_seconds": round(daily_incr, 3),
            "watermark": json.loads(lake.get("silver", t.WATERMARK_KEY)),
        },
        "same_by_day": dict(zip((d.isoformat() for d in days), same, strict=True)),
        "same_result": all(same),
        "checksum": full[-1].checksum,
        "speedup": round(daily_full / daily_incr, 2) if daily_incr else None,
        "source_rows_per_second_assumed": SOURCE_ROWS_PER_SECOND,
    }
