"""On generated data (20k orders, then 1,000 changes): a full run followed by an incremental
run gives the same silver and byte-identical gold as one full run over everything (in one
Spark session), and the DuckDB reference pipeline agrees on gold. Across processes the gold
manifest's content checksum is what stays the same."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lake_helpers import file_digests, rows
from lakelab_jobs import silver
from lakelab_jobs.checksum import parquet_checksum
from lakelab_jobs.contract import DAILY_SALES_SCHEMA, ORDERS
from lakelab_jobs.layout import Lake
from lakelab_jobs.manifest import Manifest
from lakelab_jobs.pipeline import RunRequest, run
from lakelab_jobs.reference import ReferenceLake, run_reference
from lakelab_jobs.synthetic import SyntheticSpec, write_base, write_changes

pytestmark = pytest.mark.slow

SPEC = SyntheticSpec(orders=20_000, seed=7)
CHANGES = 1_000


@pytest.fixture(scope="module")
def lakes(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    # Small silver files, so the merge has files to leave alone (1M orders get 40 files).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(silver, "ROWS_PER_FILE", 2_000)
        yield _build(spark, tmp_path_factory)


def _build(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    stepwise = tmp_path_factory.mktemp("stepwise")
    write_base(stepwise / "landing", SPEC)
    first = run(spark, RunRequest(Lake.under(stepwise), "base", "full"))
    write_changes(stepwise / "landing", SPEC, CHANGES)
    second = run(spark, RunRequest(Lake.under(stepwise), "changes", "incremental"))

    rebuilt = tmp_path_factory.mktemp("rebuilt")
    shutil.copytree(stepwise / "landing", rebuilt / "landing")
    third = run(spark, RunRequest(Lake.under(rebuilt), "all", "full"))
    return {
        "stepwise": stepwise,
        "rebuilt": rebuilt,
        "first": first,
        "second": second,
        "third": third,
    }


def gold_checksum(manifests: Sequence[Manifest]) -> str:
    (gold,) = [m for m in manifests if m.stage == "gold"]
    return str(gold.tables["daily_sales"]["checksum"])


def test_incremental_gold_is_byte_identical_to_full_rebuild(lakes: dict[str, Any]) -> None:
    stepwise, rebuilt = lakes["stepwise"], lakes["rebuilt"]
    assert file_digests(stepwise / "gold") == file_digests(rebuilt / "gold")
    assert len(rows(rebuilt / "gold" / "daily_sales")) > 10_000


def test_incremental_silver_and_quarantine_match_full_rebuild(lakes: dict[str, Any]) -> None:
    stepwise, rebuilt = lakes["stepwise"], lakes["rebuilt"]
    for entity in ("orders", "customers", "products"):
        assert rows(stepwise / "silver" / entity) == rows(rebuilt / "silver" / entity), entity
    business = [*ORDERS.landing, "reason_code"]
    assert rows(stepwise / "quarantine" / "orders", business) == rows(
        rebuilt / "quarantine" / "orders", business
    )


def test_incremental_run_touches_only_changed_rows(lakes: dict[str, Any]) -> None:
    by_stage = {m.stage: m for m in lakes["second"]}
    orders = by_stage["silver"].tables["orders"]
    assert orders["rows_in"] == CHANGES
    assert orders["reconciled"] is True
    assert orders["inserted"] == CHANGES // 100  # late new orders
    assert orders["stale_versions"] > 0 and orders["quarantined"] > 0
    # Copy-on-write: only the files holding changed keys were rewritten.
    assert 0 < orders["files_replaced"] < 10
    assert orders["rows_rewritten"] < orders["silver_rows_after"]
    gold = by_stage["gold"]
    assert gold.effective_mode == "incremental"
    assert 0 < gold.tables["daily_sales"]["dates_recomputed"] < SPEC.days
    assert all(m.reconciled for m in [*lakes["first"], *lakes["second"]])


def test_duckdb_reference_gives_the_same_gold(lakes: dict[str, Any], tmp_path: Path) -> None:
    reference = ReferenceLake(tmp_path / "reference")
    run_reference(lakes["stepwise"] / "landing", reference)
    assert rows(reference.layer("gold") / "daily_sales") == rows(
        lakes["rebuilt"] / "gold" / "daily_sales"
    )
    ordered = list(ORDERS.silver_columns)
    spark_silver = [r[:9] for r in rows(lakes["rebuilt"] / "silver" / "orders", ordered)]
    duck_silver = [r[:9] for r in rows(reference.layer("silver") / "orders", ordered)]
    assert spark_silver == duck_silver  # timestamps aside (Spark stores instants, DuckDB local)


def test_gold_manifest_checksum_is_the_content_of_the_table(
    lakes: dict[str, Any], tmp_path: Path
) -> None:
    stepwise, rebuilt = lakes["stepwise"], lakes["rebuilt"]
    checksum = gold_checksum(lakes["third"])
    # Incremental and full: the same checksum, and the one pyarrow computes from the files.
    assert gold_checksum(lakes["second"]) == checksum
    assert checksum != gold_checksum(lakes["first"])  # the changes moved gold
    assert str(parquet_checksum(stepwise / "gold" / "daily_sales", DAILY_SALES_SCHEMA)) == checksum
    # DuckDB's gold (other writer, other file names and encodings) has the same content.
    reference = ReferenceLake(tmp_path / "reference")
    run_reference(stepwise / "landing", reference)
    duck = parquet_checksum(reference.layer("gold") / "daily_sales", DAILY_SALES_SCHEMA)
    assert str(duck) == checksum
    # One value in one row changed (a cent of revenue): the checksum no longer matches.
    table = pq.read_table(rebuilt / "gold" / "daily_sales")
    revenue = table.column("revenue").to_pylist()
    revenue[123] += Decimal("0.01")
    planted = table.set_column(5, "revenue", pa.array(revenue, table.schema.field(5).type))
    pq.write_table(planted, tmp_path / "planted.parquet")
    assert str(parquet_checksum(tmp_path / "planted.parquet", DAILY_SALES_SCHEMA)) != checksum


def test_a_full_run_in_another_process_gives_the_same_gold_checksum(
    lakes: dict[str, Any], tmp_path: Path
) -> None:
    """A new JVM writes other bytes (parquet-mr orders the encodings of each column chunk
    by identity hash codes) but the same rows, which the checksum shows."""
    shutil.copytree(lakes["rebuilt"] / "landing", tmp_path / "landing")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "lakelab_jobs", "run", "--root", str(tmp_path)]
    command += ["--mode", "full", "--run-id", "other"]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=600)
    manifest = json.loads((tmp_path / "quarantine/_lakelab/runs/other.gold.json").read_text())
    assert manifest["tables"]["daily_sales"]["checksum"] == gold_checksum(lakes["third"])
    assert rows(tmp_path / "gold" / "daily_sales") == rows(
        lakes["rebuilt"] / "gold" / "daily_sales"
    )
