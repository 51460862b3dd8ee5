"""Incremental runs that meet nothing in silver: a batch of only new orders (the normal daily
feed), a batch whose every row is quarantined, a CSV record with a line break inside a quoted
field, and a bronze batch folder emptied by a failed run. Each must merge exactly and leave
the lake able to run again."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lake_helpers import rows
from lakelab_jobs.contract import ORDERS
from lakelab_jobs.layout import Lake
from lakelab_jobs.pipeline import RunRequest, run
from test_spark_known_input import (
    CUSTOMERS as CUSTOMERS_B1,
)
from test_spark_known_input import (
    GOLD_AFTER_B1,
    ORDERS_B1,
    ORDERS_HEADER,
    PRODUCTS,
    SILVER_AFTER_B1,
    d,
    gold,
    land,
    manifest,
    order,
    quarantine,
)

pytestmark = pytest.mark.slow

# Keys silver has never seen, on a date gold does not hold yet and on one it does.
NEW_ORDERS = f"""{ORDERS_HEADER}
N1,C1,P1,pos,north,1,4.00,placed,2024-05-07 09:00:00,2024-05-07 09:00:00
N2,C2,P2,web,south,2,5.00,delivered,2024-05-07 10:00:00,2024-05-07 11:00:00
N3,C1,P1,pos,north,3,10.00,placed,2024-05-01 12:00:00,2024-05-01 12:00:00
"""
NEW_SILVER = [
    order("N1 C1 P1 pos north 1 4.00 placed", "2024-05-07 09:00", "2024-05-07 09:00"),
    order("N2 C2 P2 web south 2 5.00 delivered", "2024-05-07 10:00", "2024-05-07 11:00"),
    order("N3 C1 P1 pos north 3 10.00 placed", "2024-05-01 12:00", "2024-05-01 12:00"),
]
GOLD_AFTER_NEW = sorted(
    [
        # 2024-05-01 P1 north already held O1 (2 x 10.00) and O17 (1 x 10.00).
        (d("2024-05-01"), "P1", "north", 3, 6, Decimal("60.00")),
        *(g for g in GOLD_AFTER_B1 if g[:3] != (d("2024-05-01"), "P1", "north")),
        (d("2024-05-07"), "P1", "north", 1, 1, Decimal("4.00")),
        (d("2024-05-07"), "P2", "south", 1, 2, Decimal("10.00")),
    ],
    key=repr,
)
# Every row broken: nothing reaches silver.
ALL_INVALID = f"""{ORDERS_HEADER}
X1,C1,P1,pos,north,many,4.00,placed,2024-05-07 09:00:00,2024-05-07 09:00:00
X2,,P1,pos,north,1,4.00,placed,2024-05-07 09:00:00,2024-05-07 09:00:00
"""
# A quoted field with a line break: one record, not two.
MULTILINE_ORDERS = f"""{ORDERS_HEADER}
M1,C1,P1,pos,north,1,4.00,"placed
",2024-05-08 09:00:00,2024-05-08 09:00:00
M2,C1,P1,pos,north,1,4.00,placed,2024-05-08 10:00:00,2024-05-08 10:00:00
"""
MULTILINE_CUSTOMERS = """customer_id,name,email,segment,region,status,updated_at
C9,"Dora
Lind",dora@example.com,consumer,west,active,2024-02-01 00:00:00
"""


def base_lake(spark: Any, root: Path) -> Lake:
    land(root, "orders", "b1", ORDERS_B1)
    land(root, "customers", "b1", CUSTOMERS_B1)
    land(root, "products", "b1", PRODUCTS)
    lake = Lake.under(root)
    run(spark, RunRequest(lake, "r1", "full"))
    return lake


def silver_orders(root: Path) -> list[tuple[Any, ...]]:
    return rows(root / "silver" / "orders", list(ORDERS.silver_columns))


def test_a_batch_of_only_new_keys_is_inserted(spark: Any, tmp_path: Path) -> None:
    lake = base_lake(spark, tmp_path)
    land(tmp_path, "orders", "b2", NEW_ORDERS)
    run(spark, RunRequest(lake, "r2", "incremental"))

    assert silver_orders(tmp_path) == sorted([*SILVER_AFTER_B1, *NEW_SILVER], key=repr)
    assert gold(tmp_path) == GOLD_AFTER_NEW
    counts = manifest(tmp_path, "r2", "silver")["tables"]["orders"]
    assert {k: counts[k] for k in ("rows_in", "inserted", "updated", "stale_versions")} == {
        "rows_in": 3,
        "inserted": 3,
        "updated": 0,
        "stale_versions": 0,
    }
    assert (counts["silver_rows_before"], counts["silver_rows_after"]) == (5, 8)
    assert counts["files_replaced"] == 0 and counts["reconciled"] is True
    assert manifest(tmp_path, "r2", "gold")["tables"]["daily_sales"]["dates_recomputed"] == 2

    # The lake is not left broken: the next incremental run has nothing to do, and does it.
    run(spark, RunRequest(lake, "r3", "incremental"))
    assert manifest(tmp_path, "r3", "silver")["tables"]["orders"]["batches"] == []
    assert silver_orders(tmp_path) == sorted([*SILVER_AFTER_B1, *NEW_SILVER], key=repr)
    assert gold(tmp_path) == GOLD_AFTER_NEW


def test_a_batch_with_every_row_quarantined_changes_no_silver_row(
    spark: Any, tmp_path: Path
) -> None:
    lake = base_lake(spark, tmp_path)
    files_before = sorted(p.name for p in (tmp_path / "silver" / "orders").iterdir())
    land(tmp_path, "orders", "b2", ALL_INVALID)
    run(spark, RunRequest(lake, "r2", "incremental"))

    assert quarantine(tmp_path, "b2") == [("X1", "MALFORMED_NUMBER"), ("X2", "MISSING_REQUIRED")]
    assert silver_orders(tmp_path) == SILVER_AFTER_B1
    assert sorted(p.name for p in (tmp_path / "silver" / "orders").iterdir()) == files_before
    assert gold(tmp_path) == GOLD_AFTER_B1
    counts = manifest(tmp_path, "r2", "silver")["tables"]["orders"]
    assert (counts["inserted"], counts["quarantined"], counts["silver_rows_after"]) == (0, 2, 5)


def test_a_line_break_inside_a_quoted_field_stays_in_its_record(spark: Any, tmp_path: Path) -> None:
    lake = base_lake(spark, tmp_path)
    land(tmp_path, "orders", "b2", MULTILINE_ORDERS)
    land(tmp_path, "customers", "b2", MULTILINE_CUSTOMERS)
    run(spark, RunRequest(lake, "r2", "incremental"))

    # Two records in, two rows: M1's status "placed\n" is not a status; M2 is merged.
    assert manifest(tmp_path, "r2", "bronze")["tables"]["orders"]["rows_in"] == 2
    assert quarantine(tmp_path, "b2") == [("M1", "INVALID_ENUM")]
    new = order("M2 C1 P1 pos north 1 4.00 placed", "2024-05-08 10:00", "2024-05-08 10:00")
    assert silver_orders(tmp_path) == sorted([*SILVER_AFTER_B1, new], key=repr)
    names = rows(tmp_path / "silver" / "customers", ["customer_id", "name"])
    assert ("C9", "Dora\nLind") in names
    assert manifest(tmp_path, "r2", "silver")["tables"]["customers"]["inserted"] == 1


def test_an_emptied_bronze_batch_folder_is_ingested_again(spark: Any, tmp_path: Path) -> None:
    """A run that failed after bronze, on a mirror that then dropped the unpublished files,
    leaves `batch=b2/` empty; the next run must ingest b2 again, not read an empty folder."""
    lake = base_lake(spark, tmp_path)
    land(tmp_path, "orders", "b2", NEW_ORDERS)
    run(spark, RunRequest(lake, "r2", "incremental", stages=("bronze",)))
    batch = tmp_path / "bronze" / "orders" / "batch=b2"
    shutil.rmtree(batch)
    batch.mkdir()

    run(spark, RunRequest(lake, "r3", "incremental"))
    assert manifest(tmp_path, "r3", "bronze")["tables"]["orders"]["batches"] == ["b2"]
    assert silver_orders(tmp_path) == sorted([*SILVER_AFTER_B1, *NEW_SILVER], key=repr)
