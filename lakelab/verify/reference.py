"""Gold from the landed files, built locally: what the cloud's gold must equal.

The reference build is the workload's own DuckDB implementation of the medallion contract
(`lakelab_jobs.reference`, which the workload tests hold equal to the Spark jobs), so the
comparison needs no Spark start and no twin running beside a cloud run.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from lakelab_jobs.checksum import Checksum, parquet_checksum, row_checksum
from lakelab_jobs.contract import DAILY_SALES, DAILY_SALES_SCHEMA
from lakelab_jobs.reference import ReferenceLake, run_reference

GOLD_TABLE = DAILY_SALES
GOLD_COLUMNS: tuple[str, ...] = tuple(name for name, _ in DAILY_SALES_SCHEMA)


def reference_gold(files: Mapping[str, bytes]) -> Checksum:
    """Checksum of gold built from landing files (`entity/batch.csv` -> bytes)."""
    with tempfile.TemporaryDirectory(prefix="lakelab-verify-") as tmp:
        root = Path(tmp)
        for key, data in files.items():
            path = root / "landing" / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        lake = ReferenceLake(root / "lake")
        run_reference(root / "landing", lake)
        return parquet_checksum(lake.layer("gold") / GOLD_TABLE, DAILY_SALES_SCHEMA)


def _typed(value: str | None, kind: str) -> Any:
    """A query engine's text value as the Python value the checksum renders."""
    if value is None:
        return None
    if kind == "date":
        return date.fromisoformat(value[:10])
    if kind in ("bigint", "int", "integer"):
        return int(value)
    if kind.startswith("decimal("):
        scale = int(kind.rstrip(")").split(",")[1])
        return Decimal(value).quantize(Decimal(1).scaleb(-scale))
    return value


def rows_checksum(columns: Sequence[str], rows: Sequence[Sequence[str | None]]) -> Checksum:
    """Checksum of gold rows as a query engine returned them (text values)."""
    kinds = dict(DAILY_SALES_SCHEMA)
    order = [columns.index(name) for name in GOLD_COLUMNS]
    typed = ([_typed(row[i], kinds[GOLD_COLUMNS[n]]) for n, i in enumerate(order)] for row in rows)
    return row_checksum(typed, [kinds[c] for c in GOLD_COLUMNS])
