"""Lake helpers shared by the labs built on the shared medallion workload (medallion,
raw-to-curated, orchestrated-pipelines, failure-drills).

These labs land data-contract CSVs and run `lakelab run`'s pipeline, so they all own the
contract's tables: `landing|bronze|silver|quarantine/<entity>/`, `gold/daily_sales/` and the
pipeline's run records (`quarantine/_lakelab/`). Starting one of them clears those tables
first; only one of them is meant to be active on a stack at a time.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import duckdb

from lakelab.labs.framework import Criterion, LabContext
from lakelab.lake import Lake, download

ENTITIES: Final = ("orders", "customers", "products")
STATE_PREFIX: Final = "_lakelab/"  # the pipeline's watermarks and manifests (quarantine layer)
RUNS_PREFIX: Final = "_lakelab/runs/"
GOLD_TABLE: Final = "daily_sales/"
PIPELINE_PREFIXES: Final[dict[str, tuple[str, ...]]] = {
    "landing": tuple(f"{e}/" for e in ENTITIES),
    "bronze": tuple(f"{e}/" for e in ENTITIES),
    "silver": tuple(f"{e}/" for e in ENTITIES),
    "quarantine": (*(f"{e}/" for e in ENTITIES), STATE_PREFIX),
    "gold": (GOLD_TABLE,),
}
START_FILE: Final = "start.json"


def clear(lake: Lake, prefixes: Mapping[str, tuple[str, ...]]) -> int:
    """Delete every object under the given prefixes; returns how many."""
    removed = 0
    for layer, wanted in prefixes.items():
        keys = [k for p in wanted for k in lake.keys(layer, p)]
        lake.delete(layer, keys)
        removed += len(keys)
    return removed


def discard(lake: Lake, layer: str, keys: list[str]) -> None:
    """Delete the keys that exist (deleting a missing blob is an error on Azure, not on S3)."""
    present = [k for k in keys if k in lake.keys(layer, k)]
    if present:
        lake.delete(layer, present)


def forget_mirror(stack: str) -> None:
    """Drop the local mirror `lakelab run` keeps of the lake; the next run pulls afresh."""
    from lakelab.twinrun import mirror_root

    shutil.rmtree(mirror_root(stack), ignore_errors=True)


def land(lake: Lake, files: Mapping[str, bytes], layer: str = "landing") -> int:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda kv: lake.put(layer, kv[0], kv[1]), files.items()))
    return len(files)


def reset_pipeline(ctx: LabContext, extra: Mapping[str, tuple[str, ...]] | None = None) -> int:
    """Remove the contract tables, the pipeline's state, the lab's own prefixes and the run
    mirror; returns the objects removed."""
    prefixes: dict[str, tuple[str, ...]] = dict(PIPELINE_PREFIXES)
    for layer, more in (extra or {}).items():
        prefixes[layer] = (*prefixes.get(layer, ()), *more)
    removed = clear(ctx.lake, prefixes)
    forget_mirror(ctx.stack)
    return removed


# --- what `lab start` used ---------------------------------------------------------------------
def save_start(ctx: LabContext, **params: Any) -> None:
    (ctx.work_dir / START_FILE).write_text(json.dumps(params, indent=2, sort_keys=True))


def load_start(ctx: LabContext) -> dict[str, Any] | None:
    path = ctx.work_dir / START_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def forget_start(ctx: LabContext) -> None:
    (ctx.work_dir / START_FILE).unlink(missing_ok=True)


# --- reading the lake back ---------------------------------------------------------------------
def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@dataclass
class Snapshot:
    """Local copies of lake prefixes, downloaded once each, queried with DuckDB."""

    lake: Lake
    root: Path
    con: duckdb.DuckDBPyConnection = field(default_factory=connect)
    _fetched: dict[tuple[str, str], list[Path]] = field(default_factory=dict)

    def fetch(self, layer: str, prefix: str) -> list[Path]:
        if (layer, prefix) not in self._fetched:
            dest = self.root / layer / prefix
            self._fetched[(layer, prefix)] = download(self.lake, layer, prefix, dest)
        return self._fetched[(layer, prefix)]

    def parquet(self, layer: str, prefix: str) -> str | None:
        """A DuckDB relation over the Parquet files under the prefix; None when there are none.
        Folders named `batch=...` become a `batch` column."""
        files = [p for p in self.fetch(layer, prefix) if p.suffix == ".parquet"]
        if not files:
            return None
        listed = ", ".join(sql_path(p) for p in files)
        return f"read_parquet([{listed}], hive_partitioning = true, union_by_name = true)"

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def one(self, sql: str) -> tuple[Any, ...]:
        row = self.con.execute(sql).fetchone()
        assert row is not None
        return row

    def count(self, layer: str, prefix: str) -> int:
        rel = self.parquet(layer, prefix)
        return 0 if rel is None else int(self.one(f"SELECT count(*) FROM {rel}")[0])

    def columns(self, layer: str, prefix: str) -> list[str]:
        rel = self.parquet(layer, prefix)
        if rel is None:
            return []
        return [d[0] for d in self.con.execute(f"SELECT * FROM {rel} LIMIT 0").description or []]

    def text(self, layer: str, key: str) -> str | None:
        if key not in self.lake.keys(layer, key):
            return None
        return self.lake.get(layer, key).decode()

    def json(self, layer: str, key: str) -> Any:
        text = self.text(layer, key)
        return None if text is None else json.loads(text)


@contextmanager
def snapshot(ctx: LabContext) -> Iterator[Snapshot]:
    with tempfile.TemporaryDirectory(prefix="check-", dir=ctx.work_dir) as tmp:
        snap = Snapshot(ctx.lake, Path(tmp))
        try:
            yield snap
        finally:
            snap.con.close()


def manifests(lake: Lake, stage: str | None = None) -> list[dict[str, Any]]:
    """The pipeline's run manifests in the lake, oldest first."""
    docs = []
    for key in lake.keys("quarantine", RUNS_PREFIX):
        if key.endswith(".json") and (stage is None or key.endswith(f".{stage}.json")):
            docs.append(json.loads(lake.get("quarantine", key)))
    return sorted(docs, key=lambda m: (m.get("started_at", ""), m.get("run_id", "")))


def since_last_full(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The manifests that built the current tables: the last full run and what followed."""
    fulls = [i for i, m in enumerate(docs) if m.get("effective_mode") == "full"]
    return docs[fulls[-1] :] if fulls else docs


def gold_rows(snap: Snapshot) -> dict[tuple[str, str, str], tuple[int, int, Any]]:
    rel = snap.parquet("gold", GOLD_TABLE)
    if rel is None:
        return {}
    rows = snap.rows(
        f"SELECT order_date::VARCHAR, product_id, region, orders, units, revenue FROM {rel}"
    )
    return {(str(a), str(b), str(c)): (int(d), int(e), f) for a, b, c, d, e, f in rows}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def gold_fingerprint(lake: Lake) -> str | None:
    """sha256 over the gold table's files (the table is one sorted file, so identical rows
    give identical bytes); None when there is no table."""
    keys = [k for k in lake.keys("gold", GOLD_TABLE) if k.endswith(".parquet")]
    if not keys:
        return None
    return sha256(b"".join(sha256(lake.get("gold", k)).encode() for k in keys))


# --- grading helpers ---------------------------------------------------------------------------
def attempt(
    id: str, description: str, expected: Any, found: Any, passed: bool | None = None
) -> Criterion:
    return Criterion(
        id, description, expected, found, expected == found if passed is None else passed
    )


def failed(id: str, description: str, expected: Any, why: Any) -> Criterion:
    return Criterion(id, description, expected, why, False)


def grade_criteria(
    ctx: LabContext,
    lab: str,
    criteria: Sequence[tuple[str, str]],
    checks: Sequence[Callable[[LabContext, Snapshot, Any], Criterion]],
    expected: Callable[[dict[str, Any]], Any],
) -> list[Criterion]:
    """Run one check per criterion over one snapshot of the lake. A lab that was never
    started, or a check that cannot read what it needs, fails its criteria with the reason."""
    start = load_start(ctx)
    if start is None:
        why = f"not started: run `lakelab lab start {lab}`"
        return [failed(i, d, "a started lab", why) for i, d in criteria]
    exp = expected(start)
    results: list[Criterion] = []
    with snapshot(ctx) as snap:
        for (id_, description), fn in zip(criteria, checks, strict=True):
            try:
                results.append(fn(ctx, snap, exp))
            except Exception as exc:  # a missing table or file: the criterion fails, with why
                text = str(exc).strip().splitlines()
                why = f"{type(exc).__name__}: {text[0] if text else ''}"[:300]
                results.append(failed(id_, description, "readable results", why))
    return results


def jsonable(value: Any) -> Any:
    """Decimals, dates and tuples as JSON-friendly values, for expected/found."""
    return json.loads(json.dumps(value, default=str))
