"""Silver: typed, validated, one row per business key (the latest by `updated_at`).

Full run: every bronze batch is validated, de-duplicated and written as the new table.
Incremental run: only bronze batches silver has not merged yet are read; their winners are
merged into the existing table by key (an input row replaces the silver row when its
`updated_at` is the same or newer; an older one is a stale version and is dropped). Either
way invalid rows go to `quarantine/<entity>/batch=<b>/` with a reason code, and each input
row is accounted for: inserted, updated, quarantined, duplicate in the input, or stale.

Ties on `updated_at` go to the later batch, then to the larger hash of the row's values, so
a full rebuild and a chain of incremental runs pick the same row.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, Observation, SparkSession, Window
from pyspark.sql import functions as F

from lakelab_jobs.contract import BATCH, ORDERS, REASON_CODE, REASONS, Entity
from lakelab_jobs.lakefs import LakeFS
from lakelab_jobs.layout import Lake
from lakelab_jobs.manifest import SilverCounts
from lakelab_jobs.rules import apply_rules, silver_projection, typed

_RANK = "__rank"
_CLASS = "__change"
_OLD_UPDATED = "__old_updated_at"
_OLD_DATE = "__old_order_date"
# Inputs up to this many winning rows are broadcast into the merge instead of shuffled.
BROADCAST_LIMIT = 2_000_000


@dataclass
class SilverResult:
    counts: SilverCounts
    # Order dates (ISO) whose silver rows changed; None when all may have (a full run).
    changed_dates: list[str] | None
    max_updated_at: str | None
    # Where an incremental run left the merged table; the caller publishes it.
    staging: str | None = None


def read_bronze(
    spark: SparkSession, lake: Lake, entity: Entity, batches: list[str] | None
) -> DataFrame:
    """Bronze rows of `batches` (all batches when None), with the `batch` column."""
    table = lake.bronze_table(entity.name)
    if batches is None:
        return spark.read.parquet(table)
    paths = [lake.bronze_batch(entity.name, b) for b in batches]
    return spark.read.option("basePath", table).parquet(*paths)


def _reason_metrics() -> list[Column]:
    return [
        F.count(F.lit(1)).alias("rows_in"),
        F.count(REASON_CODE).alias("quarantined"),
        *(F.count(F.when(F.col(REASON_CODE) == r, 1)).alias(r) for r in REASONS),
    ]


def write_quarantine(
    fs: LakeFS, lake: Lake, entity: Entity, validated: DataFrame, run_id: str, batches: list[str]
) -> None:
    """Invalid rows with every bronze column, the reason and this run's id, per batch."""
    table = lake.quarantine_table(entity.name)
    # Clear earlier attempts first: a batch with no invalid rows writes no partition.
    for batch in batches:
        fs.delete(f"{table}/{BATCH}={batch}")
    bronze_columns = [F.lit(run_id).alias(c) if c == "_run_id" else F.col(c) for c in entity.bronze_columns]
    (
        validated.filter(F.col(REASON_CODE).isNotNull())
        .select(*bronze_columns, REASON_CODE, BATCH)
        .write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy(BATCH)
        .parquet(table)
    )


def latest_per_key(validated: DataFrame, entity: Entity, duplicates: Observation) -> DataFrame:
    """Valid rows reduced to one per key, in silver shape; counts the rows dropped."""
    silver = silver_projection(entity)
    order = Window.partitionBy(typed(entity.key)).orderBy(
        F.col(typed("updated_at")).desc(),
        F.col(BATCH).desc(),
        F.xxhash64(*silver).desc(),
    )
    ranked = (
        validated.filter(F.col(REASON_CODE).isNull())
        .withColumn(_RANK, F.row_number().over(order))
        .observe(duplicates, F.count(F.when(F.col(_RANK) > 1, 1)).alias("duplicates"))
    )
    return ranked.filter(F.col(_RANK) == 1).select(*silver)


def _counts_from(batches: list[str], reasons: Observation, duplicates: Observation) -> SilverCounts:
    metrics = reasons.get
    return SilverCounts(
        batches=batches,
        rows_in=int(metrics["rows_in"]),
        quarantined=int(metrics["quarantined"]),
        quarantine_by_reason={r: int(metrics[r]) for r in REASONS},
        duplicates_in_input=int(duplicates.get["duplicates"]),
    )


def _max_updated_at() -> Column:
    # Formatted in Spark (session time zone UTC): Python would convert to its local zone.
    return F.date_format(F.max("updated_at"), "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")


def build_full(
    spark: SparkSession, fs: LakeFS, lake: Lake, entity: Entity, run_id: str, batches: list[str]
) -> SilverResult:
    """Rebuild the silver table and the quarantine from every bronze batch."""
    fs.delete(lake.quarantine_table(entity.name))
    validated = apply_rules(read_bronze(spark, lake, entity, None), entity)
    reasons, duplicates, written = (Observation(f"{entity.name}_{n}") for n in ("q", "d", "w"))
    write_quarantine(fs, lake, entity, validated.observe(reasons, *_reason_metrics()), run_id, [])
    (
        latest_per_key(validated, entity, duplicates)
        .observe(written, F.count(F.lit(1)).alias("rows"), _max_updated_at().alias("max"))
        .write.mode("overwrite")
        .parquet(lake.silver_table(entity.name))
    )
    counts = _counts_from(batches, reasons, duplicates)
    counts.inserted = counts.silver_rows_after = int(written.get["rows"])
    return SilverResult(counts, None, written.get["max"])


def merge_incremental(
    spark: SparkSession, fs: LakeFS, lake: Lake, entity: Entity, run_id: str, batches: list[str]
) -> SilverResult:
    """Merge the winners of `batches` with the existing silver table, into a staging folder
    (`result.staging`) that replaces the table once the caller has logged the change."""
    key = entity.key
    validated = apply_rules(read_bronze(spark, lake, entity, batches), entity)
    reasons, duplicates, before, after = (
        Observation(f"{entity.name}_{n}") for n in ("q", "d", "b", "a")
    )
    write_quarantine(
        fs, lake, entity, validated.observe(reasons, *_reason_metrics()), run_id, batches
    )
    incoming = latest_per_key(validated, entity, duplicates)

    table = lake.silver_table(entity.name)
    existing = spark.read.parquet(table)
    dated = entity is ORDERS
    old = [F.col("updated_at").alias(_OLD_UPDATED)]
    if dated:
        old.append(F.col("order_date").alias(_OLD_DATE))
    # Only silver rows whose key arrives now; the input side is small, so it is broadcast.
    matches = existing.select(key, *old).join(F.broadcast(incoming.select(key)), key)
    classified = (
        incoming.join(matches, key, "left")
        .withColumn(
            _CLASS,
            F.when(F.col(_OLD_UPDATED).isNull(), "inserted")
            .when(F.col("updated_at") >= F.col(_OLD_UPDATED), "updated")
            .otherwise("stale"),
        )
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    try:
        by_class = dict(classified.groupBy(_CLASS).count().collect())  # type: ignore[arg-type]
        winners = classified.filter(F.col(_CLASS) != "stale")
        changed_dates: list[str] | None = None
        if dated:
            touched = winners.select(F.col("order_date").alias("d")).union(
                winners.select(F.col(_OLD_DATE).alias("d"))
            )
            changed_dates = sorted(
                str(r["d"]) for r in touched.distinct().collect() if r["d"] is not None
            )
        n_winners = by_class.get("inserted", 0) + by_class.get("updated", 0)
        keys = winners.select(key)
        keys = F.broadcast(keys) if n_winners <= BROADCAST_LIMIT else keys
        merged = (
            existing.observe(before, F.count(F.lit(1)).alias("rows"))
            .join(keys, key, "left_anti")
            .unionByName(winners.select(*entity.silver_columns))
            .observe(after, F.count(F.lit(1)).alias("rows"))
        )
        staging = lake.staging(table, run_id)
        merged.write.mode("overwrite").parquet(staging)
        max_updated = winners.agg(_max_updated_at()).first()
    finally:
        classified.unpersist()

    counts = _counts_from(batches, reasons, duplicates)
    counts.inserted = by_class.get("inserted", 0)
    counts.updated = by_class.get("updated", 0)
    counts.stale_versions = by_class.get("stale", 0)
    counts.silver_rows_before = int(before.get["rows"])
    counts.silver_rows_after = int(after.get["rows"])
    return SilverResult(counts, changed_dates, max_updated[0] if max_updated else None, staging)
