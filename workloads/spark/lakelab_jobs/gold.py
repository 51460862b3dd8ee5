"""Gold: business aggregates over silver. `daily_sales` is one row per
(order_date, product_id, region) with orders, units and revenue; cancelled orders excluded.

Full run: aggregate all of silver. Incremental run: the silver change log names the order
dates whose rows changed; only those dates are re-aggregated (from silver, not patched), and
the other dates are carried over from the current gold table. The result is written sorted
into one file, with the same rows as a full rebuild over the same silver; the manifest's
`checksum` says so across processes and engines (see `checksum.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from lakelab_jobs import checksum
from lakelab_jobs.contract import (
    DAILY_SALES,
    DAILY_SALES_DISTINCT,
    DAILY_SALES_GRAIN,
    DAILY_SALES_SCHEMA,
    EXCLUDED_FROM_SALES,
    ORDERS,
)
from lakelab_jobs.lakefs import LakeFS
from lakelab_jobs.layout import Lake
from lakelab_jobs.publish import write_single_file
from lakelab_jobs.timing import step


@dataclass
class GoldResult:
    rows_in: int  # silver order rows read
    rows_excluded: int  # of those, cancelled (not sales)
    rows_out: int  # gold rows in the table after the run
    dates_recomputed: int | None  # None: all dates
    checksum: str  # content checksum of the table written (lakelab_jobs.checksum)


def daily_sales(orders: DataFrame) -> DataFrame:
    """Aggregate silver orders into `daily_sales` (contract columns and types)."""
    kinds = dict(DAILY_SALES_SCHEMA)
    aggregated = (
        orders.filter(~F.col("status").isin(*EXCLUDED_FROM_SALES))
        .groupBy(*DAILY_SALES_GRAIN)
        .agg(
            F.count(F.lit(1)).alias("orders"),
            F.sum("quantity").alias("units"),
            F.sum("amount").alias("revenue"),
        )
    )
    return aggregated.select(*(F.col(c).cast(kinds[c]).alias(c) for c in kinds))


def build(
    spark: SparkSession,
    fs: LakeFS,
    lake: Lake,
    run_id: str,
    dates: list[str] | None,
) -> GoldResult:
    """Rebuild `daily_sales` for `dates` (all dates when None) and publish the table."""
    target = lake.gold_table(DAILY_SALES)
    orders = spark.read.parquet(lake.silver_table(ORDERS.name)).select(
        "order_date", "product_id", "region", "quantity", "amount", "status"
    )
    if dates is not None:
        wanted = [F.lit(d).cast("date") for d in dates]
        orders = orders.filter(F.col("order_date").isin(*wanted))
    read, written = Observation("gold_in"), Observation("gold_out")
    orders = orders.observe(
        read,
        F.count(F.lit(1)).alias("rows"),
        F.count(F.when(F.col("status").isin(*EXCLUDED_FROM_SALES), 1)).alias("cancelled"),
    )
    fresh = daily_sales(orders)
    if dates is not None:
        kept = spark.read.parquet(target).filter(~F.col("order_date").isin(*wanted))
        fresh = kept.unionByName(fresh)
    # The whole table is written, so the rows observed on the way out are the table.
    fresh = fresh.observe(written, *checksum.aggregates(DAILY_SALES_SCHEMA))
    with step("daily_sales.aggregate_write"):
        staging = lake.staging(target, run_id)
        grain = list(DAILY_SALES_GRAIN)
        write_single_file(fs, fresh, target, staging, grain, DAILY_SALES_DISTINCT)
    return GoldResult(
        rows_in=int(read.get["rows"]),
        rows_excluded=int(read.get["cancelled"]),
        rows_out=int(written.get["checksum_rows"]),
        dates_recomputed=None if dates is None else len(dates),
        checksum=str(checksum.from_metrics(written.get)),
    )
