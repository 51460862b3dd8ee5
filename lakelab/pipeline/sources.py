"""Sample sources on demand: the shared workload's synthetic landing data for one day.

The rows come from the workload's own generator (`lakelab_jobs.synthetic`), so they follow the
data contract and carry the same share of problems silver must catch. One call lands one
day as one batch per entity (`landing/<entity>/<day>.csv`): orders placed that day, and the
day's CRM and catalogue extracts. The same (day, rows, seed) always gives the same bytes, so
landing a day twice rewrites identical objects.

The generator numbers orders from 1 for every call; ids are made unique per day by putting
the day in them (`O20260302-000000001`), so days add up instead of overwriting each other.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from lakelab.errors import UserError
from lakelab.lake import Lake

DEFAULT_ROWS: Final = 2000
DEFAULT_SEED: Final = 20240101
MAX_ROWS: Final = 5_000_000
ENTITIES: Final = ("orders", "customers", "products")


@dataclass(frozen=True)
class Landed:
    day: date
    batch: str
    rows: dict[str, int]
    keys: list[str]
    bytes: int


def batch_of(day: date) -> str:
    """The landing batch a day's sources arrive as (ISO dates sort in arrival order)."""
    return day.isoformat()


def _csv(table: Any, columns: list[str]) -> bytes:
    import pyarrow.csv as pacsv

    out = io.BytesIO()
    pacsv.write_csv(
        table.select(columns),
        out,
        write_options=pacsv.WriteOptions(quoting_style="needed", quoting_header="none"),
    )
    return out.getvalue()


def day_files(day: date, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    """landing key -> CSV bytes of one day's sources."""
    import pyarrow.compute as pc
    from lakelab_jobs.contract import ENTITIES as CONTRACT
    from lakelab_jobs.synthetic import SyntheticSpec, customers_base, orders_base, products_base

    if not 1 <= rows <= MAX_ROWS:
        raise UserError(f"--rows must be between 1 and {MAX_ROWS:,}, not {rows}")
    if seed < 0:
        raise UserError(f"--seed must be 0 or more, not {seed}")
    # A seed per day: days differ, and each day is reproducible on its own.
    spec = SyntheticSpec(orders=rows, seed=seed + day.toordinal(), start=day.isoformat(), days=1)
    orders = orders_base(spec)
    ids = pc.replace_substring_regex(orders["order_id"], "^O", f"O{day:%Y%m%d}-")
    orders = orders.set_column(orders.schema.get_field_index("order_id"), "order_id", ids)
    tables = {"orders": orders, "customers": customers_base(spec), "products": products_base(spec)}
    batch = batch_of(day)
    return {
        f"{name}/{batch}.csv": _csv(table, list(CONTRACT[name].landing))
        for name, table in tables.items()
    }


def land_day(lake: Lake, day: date, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> Landed:
    """Put one day's sources into the learner's landing layer (their own credentials)."""
    files = day_files(day, rows, seed)
    for key, data in files.items():
        lake.put("landing", key, data)
    counts = {key.split("/")[0]: data.count(b"\n") - 1 for key, data in files.items()}
    return Landed(day, batch_of(day), counts, sorted(files), sum(len(d) for d in files.values()))


def landing_batches(lake: Lake) -> list[str]:
    """Every object in landing, as `entity/batch.csv` keys."""
    return sorted(k for k in lake.keys("landing") if k.endswith(".csv"))


def reachable(lake: Lake, stack: str) -> Lake:
    """The lake, once it answers; a clear error when the twin's emulators are down."""
    try:
        lake.keys("landing", "lakelab-probe/")
    except Exception:  # connection refused
        raise UserError(
            f"the local twin is not running; start it with `lakelab local up --stack {stack}`"
        ) from None
    return lake


def require_landing(lake: Lake, stack: str) -> None:
    """Stop before Spark starts when there is nothing to build on."""
    if not landing_batches(lake):
        raise UserError(
            f"the landing layer of {stack} is empty: load sample data with"
            f" `lakelab data load --stack {stack}` (or land your own CSVs), then run again"
        )
