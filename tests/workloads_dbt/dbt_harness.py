"""Silver fixtures and a dbt runner for the tests of the dbt project (workloads/dbt).

The silver tables are written the way the silver Spark job writes them: Parquet part files
in one folder per table, a `_SUCCESS` marker, timestamps as TIMESTAMP_MICROS (orders with
the UTC-adjusted flag Spark sets), and orders partitioned by `order_date` in Hive-style
folders. Column names and types follow the silver data contract in workloads/README.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "workloads" / "dbt"
RUN_DBT = DBT_DIR / "run_dbt.py"


def find_dbt() -> str | None:
    """The dbt executable: $LAKELAB_DBT, the project's .venv-dbt, or dbt on PATH."""
    candidates = [os.environ.get("LAKELAB_DBT"), str(REPO / ".venv-dbt" / "bin" / "dbt")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("dbt")


# --- silver schemas (the data contract) -----------------------------------------------------

ORDERS = pa.schema(
    [
        ("order_id", pa.string()),
        ("customer_id", pa.string()),
        ("product_id", pa.string()),
        ("channel", pa.string()),
        ("region", pa.string()),
        ("quantity", pa.int32()),
        ("unit_price", pa.decimal128(12, 2)),
        ("amount", pa.decimal128(14, 2)),
        ("status", pa.string()),
        # Spark writes TIMESTAMP_MICROS with isAdjustedToUTC=true.
        ("order_ts", pa.timestamp("us", tz="UTC")),
        ("order_date", pa.date32()),
        ("updated_at", pa.timestamp("us", tz="UTC")),
    ]
)
CUSTOMERS = pa.schema(
    [
        ("customer_id", pa.string()),
        ("name", pa.string()),
        ("email", pa.string()),
        ("segment", pa.string()),
        ("region", pa.string()),
        ("status", pa.string()),
        ("updated_at", pa.timestamp("us")),
    ]
)
PRODUCTS = pa.schema(
    [
        ("product_id", pa.string()),
        ("name", pa.string()),
        ("category", pa.string()),
        ("list_price", pa.decimal128(12, 2)),
        ("updated_at", pa.timestamp("us")),
    ]
)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def d(text: str) -> date:
    return date.fromisoformat(text)


def order(
    order_id: str,
    customer_id: str,
    product_id: str,
    channel: str,
    region: str,
    quantity: int,
    unit_price: str,
    status: str,
    order_ts: str,
    updated_at: str,
) -> dict[str, Any]:
    placed = ts(order_ts)
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "product_id": product_id,
        "channel": channel,
        "region": region,
        "quantity": quantity,
        "unit_price": Decimal(unit_price),
        "amount": (Decimal(unit_price) * quantity).quantize(Decimal("0.01")),
        "status": status,
        "order_ts": placed.replace(tzinfo=UTC),
        "order_date": placed.date(),
        "updated_at": ts(updated_at).replace(tzinfo=UTC),
    }


CUSTOMERS_V1 = [
    {
        "customer_id": "c-1",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "segment": "consumer",
        "region": "north",
        "status": "active",
        "updated_at": ts("2026-01-01 08:00:00"),
    },
    {
        "customer_id": "c-2",
        "name": "Bolt Trading Ltd",
        "email": "buy@bolt.example",
        "segment": "business",
        "region": "south",
        "status": "active",
        "updated_at": ts("2026-01-02 09:00:00"),
    },
    {
        "customer_id": "c-3",
        "name": "Cy Young",
        "email": "cy@example.com",
        "segment": "consumer",
        "region": "east",
        "status": "closed",
        "updated_at": ts("2026-01-03 10:00:00"),
    },
]
PRODUCTS_V1 = [
    {
        "product_id": "p-1",
        "name": "Espresso Machine",
        "category": "Kitchen",
        "list_price": Decimal("199.00"),
        "updated_at": ts("2026-01-01 00:00:00"),
    },
    {
        "product_id": "p-2",
        "name": "Coffee Beans 1kg",
        "category": "Grocery",
        "list_price": Decimal("14.50"),
        "updated_at": ts("2026-01-01 00:00:00"),
    },
    {
        "product_id": "p-3",
        "name": "Milk Frother",
        "category": "Kitchen",
        "list_price": Decimal("39.90"),
        "updated_at": ts("2026-01-01 00:00:00"),
    },
]
ORDERS_V1 = [
    order(
        "o-1",
        "c-1",
        "p-1",
        "web",
        "north",
        1,
        "199.00",
        "delivered",
        "2026-02-01 10:00:00",
        "2026-02-03 12:00:00",
    ),
    order(
        "o-2",
        "c-1",
        "p-2",
        "web",
        "north",
        2,
        "14.50",
        "shipped",
        "2026-02-01 11:30:00",
        "2026-02-02 08:00:00",
    ),
    order(
        "o-3",
        "c-2",
        "p-2",
        "pos",
        "south",
        4,
        "14.50",
        "delivered",
        "2026-02-01 15:00:00",
        "2026-02-01 15:00:00",
    ),
    order(
        "o-4",
        "c-2",
        "p-3",
        "pos",
        "south",
        1,
        "39.90",
        "cancelled",
        "2026-02-02 09:00:00",
        "2026-02-02 10:00:00",
    ),
    order(
        "o-5",
        "c-3",
        "p-2",
        "web",
        "east",
        1,
        "14.50",
        "returned",
        "2026-02-02 23:30:00",
        "2026-02-05 09:00:00",
    ),
    order(
        "o-6",
        "c-1",
        "p-2",
        "pos",
        "north",
        2,
        "14.00",
        "placed",
        "2026-02-01 18:00:00",
        "2026-02-01 18:00:00",
    ),
]

# The second load: customer c-1 is suspended, order o-2 is cancelled after the first
# build, and a new order o-7 arrives. Everything else is unchanged.
CUSTOMERS_V2 = [
    {**c, "status": "suspended", "updated_at": ts("2026-02-10 00:00:00")}
    if c["customer_id"] == "c-1"
    else c
    for c in CUSTOMERS_V1
]
PRODUCTS_V2 = PRODUCTS_V1
ORDERS_V2 = [
    {**o, "status": "cancelled", "updated_at": ts("2026-02-10 12:00:00").replace(tzinfo=UTC)}
    if o["order_id"] == "o-2"
    else o
    for o in ORDERS_V1
] + [
    order(
        "o-7",
        "c-2",
        "p-1",
        "web",
        "south",
        1,
        "189.00",
        "placed",
        "2026-02-10 09:00:00",
        "2026-02-10 09:00:00",
    ),
]


def _write_table(
    folder: Path, rows: list[dict[str, Any]], schema: pa.Schema, partition_by: str | None = None
) -> None:
    """Replace a silver table the way Spark's overwrite mode does."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    table = pa.Table.from_pylist(rows, schema=schema)
    if partition_by:
        ds.write_dataset(
            table,
            folder,
            format="parquet",
            partitioning=[partition_by],
            partitioning_flavor="hive",
            basename_template="part-{i}-c000.snappy.parquet",
            file_options=ds.ParquetFileFormat().make_write_options(
                coerce_timestamps="us", compression="snappy"
            ),
        )
    else:
        pq.write_table(
            table,
            folder / "part-00000-c000.snappy.parquet",
            coerce_timestamps="us",
            compression="snappy",
        )
    (folder / "_SUCCESS").touch()


def write_silver(root: Path, version: int) -> None:
    customers, products, orders = {
        1: (CUSTOMERS_V1, PRODUCTS_V1, ORDERS_V1),
        2: (CUSTOMERS_V2, PRODUCTS_V2, ORDERS_V2),
    }[version]
    _write_table(root / "customers", customers, CUSTOMERS)
    _write_table(root / "products", products, PRODUCTS)
    _write_table(root / "orders", orders, ORDERS, partition_by="order_date")


# --- running dbt ------------------------------------------------------------------------------


@dataclass
class DbtRun:
    args: list[str]
    returncode: int
    output: str
    seconds: float


@dataclass
class DbtEnv:
    """One isolated dbt workspace: silver folder, DuckDB file, target and log folders."""

    tmp: Path
    dbt: str
    runs: list[DbtRun] = field(default_factory=list)

    @property
    def silver(self) -> Path:
        return self.tmp / "silver"

    @property
    def duckdb_path(self) -> Path:
        return self.tmp / "warehouse" / "lakelab.duckdb"

    @property
    def target_path(self) -> Path:
        return self.tmp / "dbt-target"

    def run(self, command: str, *extra: str, silver_uri: str | None = None) -> DbtRun:
        """`run_dbt.py <command>` against this workspace, as another runner would call it.

        `silver_uri` defaults to the plain silver path; the Spark jobs name local layers
        by `file://` URI, which works as well."""
        args = [
            sys.executable,
            str(RUN_DBT),
            command,
            "--target",
            "local",
            "--silver-uri",
            silver_uri or str(self.silver),
            "--duckdb-path",
            str(self.duckdb_path),
            "--dbt",
            self.dbt,
            "--",
            "--target-path",
            str(self.target_path),
            "--log-path",
            str(self.tmp / "dbt-logs"),
            *extra,
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "LAKELAB_"))}
        env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        started = time.monotonic()
        proc = subprocess.run(
            args, env=env, cwd=self.tmp, capture_output=True, text=True, timeout=300
        )
        result = DbtRun(
            args, proc.returncode, proc.stdout + proc.stderr, time.monotonic() - started
        )
        self.runs.append(result)
        return result

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        import duckdb

        con = duckdb.connect(str(self.duckdb_path), read_only=True)
        try:
            con.execute("set TimeZone = 'UTC'")
            return con.execute(sql).fetchall()
        finally:
            con.close()
