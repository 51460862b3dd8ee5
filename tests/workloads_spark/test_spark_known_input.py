"""A small hand-made landing set with every kind of problem gives exactly the expected silver,
quarantine and gold rows, through a full run and through a full + incremental run."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lake_helpers import file_digests, rows
from lakelab_jobs.contract import ORDERS
from lakelab_jobs.layout import Lake
from lakelab_jobs.pipeline import RunRequest, run

pytestmark = pytest.mark.slow

ORDERS_HEADER = ",".join(ORDERS.landing)

# First batch: the base load.
ORDERS_B1 = f"""{ORDERS_HEADER}
O1,C1,P1,pos,north,2,10.00,placed,2024-05-01 09:00:00,2024-05-01 09:00:00
O1,C1,P1,pos,north,2,10.00,shipped,2024-05-01 09:00:00,2024-05-02 10:00:00
O2,C2,P2, WEB ,North,1,5.50,Delivered,2024-05-01T23:30:00Z,2024-05-03 08:00:00
O3,C1,P2,web,south,3,7.25,cancelled,2024-05-02 12:00:00,2024-05-02 13:00:00
O4,,P1,pos,east,1,3.00,placed,2024-05-02 10:00:00,2024-05-02 10:00:00
O5,C2,P1,pos,east,two,3.00,placed,2024-05-02 11:00:00,2024-05-02 11:00:00
O6,C2,P1,pos,east,1,"1,50",placed,2024-05-02 10:00:00,2024-05-02 10:00:00
O7,C2,P1,pos,east,1,3.00,placed,2024-02-30 10:00:00,2024-05-02 10:00:00
O8,C2,P1,pos,east,1,3.00,lost,2024-05-02 10:00:00,2024-05-02 10:00:00
O9,C2,P1,pos,east,0,3.00,placed,2024-05-02 10:00:00,2024-05-02 10:00:00
O10,C2,P1,pos,east,1,3.00,placed,2024-05-02 10:00:00,2024-05-01 10:00:00
O2,C2,P2, WEB ,North,1,5.50,Delivered,2024-05-01T23:30:00Z,2024-05-03 08:00:00
O11,C3,P1,pos,west,4,2.50,delivered,2024-05-02 08:00:00,2024-05-02 09:00:00
,C1,P1,pos,north,1,1.00,placed,2024-05-02 10:00:00,2024-05-02 10:00:00
O12,C1,P1,pos,north,x,1.00,bogus,2024-05-02 10:00:00,2024-05-02 10:00:00
O13,C1,P1,pos,north,1,12.345,placed,2024-05-02 10:00:00,2024-05-02 10:00:00
O14,C1,P1,pos,north,1,-1.00,placed,2024-05-02 10:00:00,2024-05-02 10:00:00
O17,C2,P1,pos,north,1,10.00,delivered,2024-05-01 18:00:00,2024-05-01 19:00:00
"""

# Second batch: late-arriving updates.
ORDERS_B2 = f"""{ORDERS_HEADER}
O1,C1,P1,pos,north,2,10.00,delivered,2024-05-01 09:00:00,2024-05-04 10:00:00
O3,C1,P2,web,south,3,7.25,placed,2024-05-02 12:00:00,2024-05-02 12:30:00
O15,C2,P2,pos,south,2,5.50,placed,2024-05-01 15:00:00,2024-05-01 15:00:00
O11,C3,P1,pos,west,4,2.50,returned,2024-05-03 08:00:00,2024-05-05 09:00:00
O2,C2,P2,web,north,3,5.50,delivered,2024-05-01 23:30:00,2024-05-06 08:00:00
O2,C2,P2,web,north,2,5.50,delivered,2024-05-01 23:30:00,2024-05-05 08:00:00
O16,C1,P1,pos,north,1,abc,placed,2024-05-02 10:00:00,2024-05-02 10:00:00
O5,C2,P1,pos,east,1,3.00,placed,2024-05-02 11:00:00,2024-05-02 11:05:00
"""

CUSTOMERS = """customer_id,name,email,segment,region,status,updated_at
C1,Ana Costa,ANA@Example.COM ,consumer,North,active,2024-01-01 00:00:00
C1,Ana Costa,ana@old.example.com,consumer,north,active,2023-06-01 00:00:00
C2,Ben Berg,ben at example.com,business,south,active,2024-01-01 00:00:00
C3,Chloe Ito,chloe@example.com,vip,east,active,2024-01-01 00:00:00
C3,Chloe Ito,chloe@example.com,consumer,east,Active,2024-01-02 00:00:00
"""

PRODUCTS = """product_id,name,category,list_price,updated_at
P1,Classic Mug,kitchen,12.00,2024-01-01 00:00:00
P2,Desk Lamp,home,-5.00,2024-01-01 00:00:00
"""


def ts(text: str) -> datetime:
    """Spark timestamps are instants: Parquet marks them UTC-adjusted."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def order(fields: str, placed: str, updated: str) -> tuple[Any, ...]:
    """A silver orders row from "id customer product channel region qty price status"."""
    oid, cust, prod, channel, region, qty, price, status = fields.split()
    unit, quantity = Decimal(price), int(qty)
    return (
        *(oid, cust, prod, channel, region, quantity, unit, unit * quantity, status),
        *(ts(placed), ts(placed).date(), ts(updated)),
    )


SILVER_AFTER_B1 = sorted(
    [
        order("O1 C1 P1 pos north 2 10.00 shipped", "2024-05-01 09:00", "2024-05-02 10:00"),
        order("O11 C3 P1 pos west 4 2.50 delivered", "2024-05-02 08:00", "2024-05-02 09:00"),
        order("O17 C2 P1 pos north 1 10.00 delivered", "2024-05-01 18:00", "2024-05-01 19:00"),
        order("O2 C2 P2 web north 1 5.50 delivered", "2024-05-01 23:30", "2024-05-03 08:00"),
        order("O3 C1 P2 web south 3 7.25 cancelled", "2024-05-02 12:00", "2024-05-02 13:00"),
    ],
    key=repr,
)

SILVER_AFTER_B2 = sorted(
    [
        order("O1 C1 P1 pos north 2 10.00 delivered", "2024-05-01 09:00", "2024-05-04 10:00"),
        order("O11 C3 P1 pos west 4 2.50 returned", "2024-05-03 08:00", "2024-05-05 09:00"),
        order("O15 C2 P2 pos south 2 5.50 placed", "2024-05-01 15:00", "2024-05-01 15:00"),
        order("O17 C2 P1 pos north 1 10.00 delivered", "2024-05-01 18:00", "2024-05-01 19:00"),
        order("O2 C2 P2 web north 3 5.50 delivered", "2024-05-01 23:30", "2024-05-06 08:00"),
        order("O3 C1 P2 web south 3 7.25 cancelled", "2024-05-02 12:00", "2024-05-02 13:00"),
        order("O5 C2 P1 pos east 1 3.00 placed", "2024-05-02 11:00", "2024-05-02 11:05"),
    ],
    key=repr,
)

# (order_id, reason_code) of every quarantined order row, per batch.
QUARANTINE_B1 = sorted(
    [
        (None, "MISSING_REQUIRED"),
        ("O4", "MISSING_REQUIRED"),
        ("O5", "MALFORMED_NUMBER"),
        ("O6", "MALFORMED_NUMBER"),
        ("O7", "MALFORMED_TIMESTAMP"),
        ("O8", "INVALID_ENUM"),
        ("O9", "OUT_OF_RANGE"),
        ("O10", "OUT_OF_RANGE"),
        # Several problems: the first in rule order wins.
        ("O12", "MALFORMED_NUMBER"),
        ("O13", "MALFORMED_NUMBER"),
        ("O14", "OUT_OF_RANGE"),
    ],
    key=repr,
)
QUARANTINE_B2 = [("O16", "MALFORMED_NUMBER")]


def d(text: str) -> date:
    return date.fromisoformat(text)


GOLD_AFTER_B1 = [
    (d("2024-05-01"), "P1", "north", 2, 3, Decimal("30.00")),
    (d("2024-05-01"), "P2", "north", 1, 1, Decimal("5.50")),
    (d("2024-05-02"), "P1", "west", 1, 4, Decimal("10.00")),
]
GOLD_AFTER_B2 = [
    (d("2024-05-01"), "P1", "north", 2, 3, Decimal("30.00")),
    (d("2024-05-01"), "P2", "north", 1, 3, Decimal("16.50")),
    (d("2024-05-01"), "P2", "south", 1, 2, Decimal("11.00")),
    (d("2024-05-02"), "P1", "east", 1, 1, Decimal("3.00")),
    (d("2024-05-03"), "P1", "west", 1, 4, Decimal("10.00")),
]


def land(root: Path, entity: str, batch: str, text: str) -> None:
    path = root / "landing" / entity / f"{batch}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def manifest(root: Path, run_id: str, stage: str) -> dict[str, Any]:
    text = (root / "quarantine" / "_lakelab" / "runs" / f"{run_id}.{stage}.json").read_text()
    return dict(json.loads(text))


def quarantine(root: Path, batch: str) -> list[tuple[Any, ...]]:
    return rows(root / "quarantine" / "orders" / f"batch={batch}", ["order_id", "reason_code"])


def gold(root: Path) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in rows(root / "gold" / "daily_sales")]


@pytest.fixture(scope="module")
def incremental_lake(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Full run on the first batch, then an incremental run on the second; snapshots of the
    outputs after each."""
    root = tmp_path_factory.mktemp("known-incremental")
    land(root, "orders", "b1", ORDERS_B1)
    land(root, "customers", "b1", CUSTOMERS)
    land(root, "products", "b1", PRODUCTS)
    run(spark, RunRequest(Lake.under(root), "r1", "full"))
    after_b1 = {
        "silver": rows(root / "silver" / "orders", list(ORDERS.silver_columns)),
        "gold": gold(root),
        "quarantine": quarantine(root, "b1"),
    }
    land(root, "orders", "b2", ORDERS_B2)
    run(spark, RunRequest(Lake.under(root), "r2", "incremental"))
    return {"root": root, "after_b1": after_b1}


@pytest.fixture(scope="module")
def full_lake(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both batches landed, one full run."""
    root = tmp_path_factory.mktemp("known-full")
    land(root, "orders", "b1", ORDERS_B1)
    land(root, "orders", "b2", ORDERS_B2)
    land(root, "customers", "b1", CUSTOMERS)
    land(root, "products", "b1", PRODUCTS)
    run(spark, RunRequest(Lake.under(root), "f1", "full"))
    return root


def test_first_batch_gives_exact_silver_quarantine_and_gold(
    incremental_lake: dict[str, Any],
) -> None:
    after = incremental_lake["after_b1"]
    assert after["silver"] == SILVER_AFTER_B1
    assert after["quarantine"] == QUARANTINE_B1
    assert after["gold"] == GOLD_AFTER_B1


def test_first_batch_manifest_reconciles(incremental_lake: dict[str, Any]) -> None:
    counts = manifest(incremental_lake["root"], "r1", "silver")["tables"]["orders"]
    assert counts["rows_in"] == 18
    assert counts["to_silver"] == counts["inserted"] == 5
    assert counts["quarantined"] == 11
    assert counts["duplicates_in_input"] == 2  # O1's older version, O2's exact copy
    assert counts["quarantine_by_reason"] == {
        "MISSING_REQUIRED": 2,
        "MALFORMED_NUMBER": 4,
        "MALFORMED_TIMESTAMP": 1,
        "INVALID_ENUM": 1,
        "INVALID_EMAIL": 0,
        "OUT_OF_RANGE": 3,
    }
    assert counts["reconciled"] is True


def test_incremental_batch_gives_exact_silver_quarantine_and_gold(
    incremental_lake: dict[str, Any],
) -> None:
    root = incremental_lake["root"]
    assert rows(root / "silver" / "orders", list(ORDERS.silver_columns)) == SILVER_AFTER_B2
    assert quarantine(root, "b1") == QUARANTINE_B1  # earlier batch untouched
    assert quarantine(root, "b2") == QUARANTINE_B2
    assert gold(root) == GOLD_AFTER_B2


def test_incremental_manifest_accounts_for_every_row(incremental_lake: dict[str, Any]) -> None:
    root = incremental_lake["root"]
    silver = manifest(root, "r2", "silver")
    counts = silver["tables"]["orders"]
    assert silver["effective_mode"] == "incremental"
    assert counts["batches"] == ["b2"]
    assert (counts["rows_in"], counts["inserted"], counts["updated"]) == (8, 2, 3)
    assert (counts["quarantined"], counts["duplicates_in_input"], counts["stale_versions"]) == (
        1,
        1,
        1,
    )
    assert (counts["silver_rows_before"], counts["silver_rows_after"]) == (5, 7)
    assert counts["reconciled"] is True
    assert silver["watermark"]["orders"]["last_batch"] == "b2"
    assert silver["watermark"]["orders"]["max_updated_at"] == "2024-05-06T08:00:00.000000Z"
    gold_run = manifest(root, "r2", "gold")
    # O11 moved from 05-02 to 05-03, so its old date is recomputed too.
    assert gold_run["tables"]["daily_sales"]["dates_recomputed"] == 3
    assert gold_run["effective_mode"] == "incremental"
    # Nothing new in landing for customers and products: untouched.
    assert silver["tables"]["customers"]["rows_in"] == 0


def test_customers_and_products_are_normalised_and_validated(
    incremental_lake: dict[str, Any],
) -> None:
    root = incremental_lake["root"]
    assert rows(root / "silver" / "customers") == [
        ("C1", "Ana Costa", "ana@example.com", "consumer", "north", "active", ts("2024-01-01")),
        ("C3", "Chloe Ito", "chloe@example.com", "consumer", "east", "active", ts("2024-01-02")),
    ]
    assert rows(root / "quarantine" / "customers", ["customer_id", "reason_code"]) == [
        ("C2", "INVALID_EMAIL"),
        ("C3", "INVALID_ENUM"),
    ]
    assert rows(root / "silver" / "products") == [
        ("P1", "Classic Mug", "kitchen", Decimal("12.00"), ts("2024-01-01")),
    ]
    assert rows(root / "quarantine" / "products", ["product_id", "reason_code"]) == [
        ("P2", "OUT_OF_RANGE")
    ]


def test_bronze_keeps_rows_as_received_with_lineage(incremental_lake: dict[str, Any]) -> None:
    root = incremental_lake["root"]
    bronze = rows(
        root / "bronze" / "orders" / "batch=b1", ["order_id", "channel", "quantity", "_run_id"]
    )
    assert len(bronze) == 18
    assert ("O2", " WEB ", "1", "r1") in bronze  # untrimmed, as received
    files = {r[0] for r in rows(root / "bronze" / "orders" / "batch=b2", ["_source_file"])}
    assert files == {(root / "landing" / "orders" / "b2.csv").as_uri()}


def test_quarantine_keeps_bronze_columns_and_run_id(incremental_lake: dict[str, Any]) -> None:
    root = incremental_lake["root"]
    names = ["reason_code", *ORDERS.bronze_columns]
    (record,) = rows(root / "quarantine" / "orders" / "batch=b2", names)
    row = dict(zip(names, record, strict=True))
    assert row["unit_price"] == "abc"
    assert row["reason_code"] == "MALFORMED_NUMBER"
    assert row["_run_id"] == "r2"


def test_full_run_over_both_batches_matches_incremental(
    incremental_lake: dict[str, Any], full_lake: Path
) -> None:
    root = incremental_lake["root"]
    assert rows(full_lake / "silver" / "orders", list(ORDERS.silver_columns)) == SILVER_AFTER_B2
    assert gold(full_lake) == GOLD_AFTER_B2
    # Byte for byte, not just row for row.
    assert file_digests(full_lake / "gold") == file_digests(root / "gold")


def test_full_rerun_is_idempotent_and_byte_identical(spark: Any, full_lake: Path) -> None:
    before = file_digests(full_lake / "gold")
    silver_before = rows(full_lake / "silver" / "orders")
    landing_columns = [*ORDERS.landing, "reason_code"]
    quarantine_before = rows(full_lake / "quarantine" / "orders", landing_columns)
    run(spark, RunRequest(Lake.under(full_lake), "f2", "full"))
    assert file_digests(full_lake / "gold") == before
    assert rows(full_lake / "silver" / "orders") == silver_before
    # Replaced, not doubled.
    assert rows(full_lake / "quarantine" / "orders", landing_columns) == quarantine_before
    assert len(rows(full_lake / "bronze" / "orders")) == 26


def test_incremental_rerun_without_new_data_changes_nothing(spark: Any, full_lake: Path) -> None:
    before = file_digests(full_lake / "gold")
    silver_before = file_digests(full_lake / "silver")
    manifests = run(spark, RunRequest(Lake.under(full_lake), "f3", "incremental"))
    assert file_digests(full_lake / "gold") == before
    assert file_digests(full_lake / "silver") == silver_before
    by_stage = {m.stage: m for m in manifests}
    assert by_stage["bronze"].tables["orders"]["rows_in"] == 0
    assert by_stage["silver"].tables["orders"]["rows_in"] == 0
    assert by_stage["gold"].tables["daily_sales"]["dates_recomputed"] == 0


def test_interrupted_publish_is_completed_by_the_next_run(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lakelab_jobs.pipeline as pipeline

    land(tmp_path, "orders", "b1", ORDERS_B1)
    run(spark, RunRequest(Lake.under(tmp_path), "r1", "full"))
    land(tmp_path, "orders", "b2", ORDERS_B2)

    def crash(*_: object) -> None:
        raise RuntimeError("stopped while publishing")

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "publish", crash)
        with pytest.raises(RuntimeError, match="publishing"):
            run(spark, RunRequest(Lake.under(tmp_path), "r2", "incremental", ("bronze", "silver")))
    run(spark, RunRequest(Lake.under(tmp_path), "r3", "incremental"))
    assert rows(tmp_path / "silver" / "orders", list(ORDERS.silver_columns)) == SILVER_AFTER_B2
    assert gold(tmp_path) == GOLD_AFTER_B2
    assert not list((tmp_path / "silver").glob("*__staging*"))
