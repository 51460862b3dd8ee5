"""The Synapse catalog step: the Spark statements it runs, and what they leave in a real
Spark catalog after a real run.

Local Spark's in-memory catalog stands in for Synapse's metastore (the Synapse runtime cannot
run here); the statements are the ones the job runs on Synapse. What serverless SQL then
shows (the shared metadata's synchronization) cannot run here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lakelab_jobs.catalog import TableSpec, spark_tables
from lakelab_jobs.jobargs import JobArgumentError, from_options
from lakelab_jobs.layout import Lake
from lakelab_jobs.pipeline import RunRequest, run
from lakelab_jobs.spark_catalog import (
    create_database,
    create_table,
    register_spark,
    table_statements,
)
from lakelab_jobs.synthetic import SyntheticSpec, write_base
from test_spark_job_interface import load_entrypoint

PREFIX = "spring_alice"
ORDERS = TableSpec(
    database="spring_alice_bronze",
    name="orders",
    location="abfss://bronze@acct.dfs.core.windows.net/orders/",
    columns=[("order_id", "bigint"), ("amount", "decimal(12,2)")],
    partition_keys=["batch"],
    partitions=[["b1"]],
)
DAILY = TableSpec(
    database="spring_alice_gold",
    name="daily_sales",
    location="abfss://gold@acct.dfs.core.windows.net/daily_sales/",
    columns=[("order_date", "date"), ("revenue", "decimal(18,2)")],
)


def test_the_statements_are_exact() -> None:
    assert (
        create_database("spring_alice_gold") == "CREATE DATABASE IF NOT EXISTS `spring_alice_gold`"
    )
    assert create_table(ORDERS) == (
        "CREATE TABLE `spring_alice_bronze`.`orders` (`order_id` bigint, `amount` decimal(12,2),"
        " `batch` string) USING PARQUET PARTITIONED BY (`batch`)"
        " LOCATION 'abfss://bronze@acct.dfs.core.windows.net/orders/'"
    )
    assert table_statements(DAILY, None) == [
        "CREATE TABLE `spring_alice_gold`.`daily_sales` (`order_date` date, `revenue`"
        " decimal(18,2)) USING PARQUET LOCATION 'abfss://gold@acct.dfs.core.windows.net/daily_sales/'",
        "REFRESH TABLE `spring_alice_gold`.`daily_sales`",
    ]


def test_an_unchanged_table_only_gains_partitions_a_changed_one_is_replaced() -> None:
    current = [("order_id", "bigint"), ("amount", "decimal(12,2)"), ("batch", "string")]
    assert table_statements(ORDERS, current) == [
        "ALTER TABLE `spring_alice_bronze`.`orders` RECOVER PARTITIONS",
        "REFRESH TABLE `spring_alice_bronze`.`orders`",
    ]
    changed = table_statements(ORDERS, current[:1] + current[2:])
    assert changed[0] == "DROP TABLE `spring_alice_bronze`.`orders`"
    assert changed[1] == create_table(ORDERS)


@pytest.mark.parametrize("bad", ["Orders", "daily-sales", "x y", "1a'"])
def test_names_serverless_sql_would_change_are_refused(bad: str) -> None:
    spec = TableSpec(database="spring_alice_gold", name=bad, location="x/", columns=[("a", "int")])
    with pytest.raises(ValueError, match="lower-case letters"):
        create_table(spec)


def test_the_catalog_stage_runs_no_stage_and_needs_a_prefix() -> None:
    layers = {
        f"{n}_uri": f"/lake/{n}" for n in ("landing", "bronze", "silver", "gold", "quarantine")
    }
    args = from_options({**layers, "stage": "catalog", "catalog_prefix": PREFIX})
    assert (args.stages, args.register_catalog, args.catalog_prefix) == ((), True, PREFIX)
    assert from_options({**layers, "stage": "gold"}).register_catalog is False
    with pytest.raises(JobArgumentError, match="--stage catalog needs --catalog_prefix"):
        from_options({**layers, "stage": "catalog"})


@pytest.mark.slow
def test_a_run_s_tables_are_queryable_from_the_catalog(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Synapse entry point itself, with `--stage catalog`, on the local session."""
    write_base(tmp_path / "landing", SyntheticSpec(orders=300, seed=5))
    lake = Lake.under(tmp_path)
    run(spark, RunRequest(lake, "catalog-1", "full"))
    layers = [f"--{n}_uri={getattr(lake, n)}" for n in ("landing", "bronze", "silver", "gold")]
    entry = load_entrypoint("synapse")
    entry.main([*layers, f"--quarantine_uri={lake.quarantine}", "--stage", "catalog",
                "--catalog_prefix", PREFIX])  # fmt: skip
    assert capsys.readouterr().out.strip() == f"registered 7 table(s) in {PREFIX}_<layer>"
    specs = [s for layer in ("bronze", "silver", "gold") for s in spark_tables(
        spark, getattr(lake, layer), f"{PREFIX}_{layer}")]  # fmt: skip
    assert {r.namespace for r in spark.sql("SHOW DATABASES").collect()} >= {
        f"{PREFIX}_bronze", f"{PREFIX}_silver", f"{PREFIX}_gold",
    }  # fmt: skip
    gold = spark.table(f"{PREFIX}_gold.daily_sales")
    assert gold.count() == spark.read.parquet(f"{lake.gold}/daily_sales/").count() > 0
    bronze_rows = spark.read.parquet(f"{lake.bronze}/orders/").count()
    assert spark.table(f"{PREFIX}_bronze.orders").count() == bronze_rows
    batches = {r[0] for r in spark.sql(f"SHOW PARTITIONS {PREFIX}_bronze.orders").collect()}
    assert batches == {
        f"batch={p.name.split('=', 1)[1]}" for p in (tmp_path / "bronze/orders").iterdir()
    }
    # A second registration keeps every table (no drop) and finds the same rows.
    again = register_spark(spark, specs)
    assert not [s for s in again if s.startswith(("DROP", "CREATE TABLE"))]
    assert spark.table(f"{PREFIX}_gold.daily_sales").count() == gold.count()
