"""Silver: typed, validated, one row per business key (the latest by `updated_at`).

Full run: every bronze batch is validated, de-duplicated and written as the new table, in
files of about ROWS_PER_FILE rows in arrival order (feeds arrive roughly in time order, so a
file holds neighbouring dates).
Incremental run: only the bronze batches silver has not merged yet are read. Their winners
replace silver rows file by file (copy-on-write): the files that hold an old version of a
changed key are rewritten without it, plus the new versions; every other file is left as
is. An input row replaces the silver row when its `updated_at` is the same or newer; an
older one is a stale version and is dropped.

Either way invalid rows go to `quarantine/<entity>/batch=<b>/` with a reason code, and each
input row is accounted for: inserted, updated, quarantined, duplicate in the input, or stale.
Ties on `updated_at` go to the later batch, then to the larger hash of the row's values, so
a full rebuild and a chain of incremental runs keep the same row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Final

from pyspark.sql import Column, DataFrame, Observation, SparkSession, Window
from pyspark.sql import functions as F

from lakelab_jobs import contract
from lakelab_jobs.contract import BATCH, ORDERS, REASON_CODE, REASONS, Entity
from lakelab_jobs.lakefs import LakeFS
from lakelab_jobs.layout import Lake
from lakelab_jobs.manifest import SilverCounts
from lakelab_jobs.publish import without_dictionary
from lakelab_jobs.rules import apply_rules, silver_projection
from lakelab_jobs.timing import step

# Rows per silver file (a module attribute, so tests can make files smaller).
ROWS_PER_FILE: Final = contract.ROWS_PER_FILE

_RANK: Final = "__rank"
_CLASS: Final = "__change"
_FILE: Final = "__file"
_OLD_UPDATED: Final = "__old_updated_at"
_OLD_DATE: Final = "__old_order_date"
_CLASSES: Final = ("inserted", "updated", "stale")
# Up to this many repeated keys are broadcast to split rows; beyond, a shuffle join.
BROADCAST_KEYS: Final = 1_000_000
# Inputs up to this many rows are de-duplicated by ranking them all.
SMALL_INPUT: Final = 100_000


@dataclass
class SilverResult:
    counts: SilverCounts
    # Order dates (ISO) whose silver rows changed; None when all may have (a full run).
    changed_dates: list[str] | None
    max_updated_at: str | None
    # Incremental runs: the staged new files and the table files they replace. The caller
    # records both before publishing, so an interrupted publish can be completed.
    staging: str | None = None
    replaced_files: list[str] = field(default_factory=list)


def read_bronze(
    spark: SparkSession, lake: Lake, entity: Entity, batches: list[str] | None
) -> DataFrame:
    """Bronze rows of `batches` (all batches when None), with the `batch` column."""
    table = lake.bronze_table(entity.name)
    if batches is None:
        return spark.read.parquet(table)
    paths = [lake.bronze_batch(entity.name, b) for b in batches]
    return spark.read.option("basePath", table).parquet(*paths)


def validate(bronze: DataFrame, entity: Entity, metrics: Observation) -> DataFrame:
    """Typed rows with reason codes, computed once and materialised.

    Materialising matters: the rules are wide expressions, and Spark would otherwise
    re-evaluate them in every filter it pushes below them (quarantine, valid rows).
    """
    counted = apply_rules(bronze, entity).observe(
        metrics,
        F.count(F.lit(1)).alias("rows_in"),
        F.count(REASON_CODE).alias("quarantined"),
        *(F.count(F.when(F.col(REASON_CODE) == r, 1)).alias(r) for r in REASONS),
    )
    return counted.localCheckpoint(eager=True)


def write_quarantine(
    fs: LakeFS,
    lake: Lake,
    entity: Entity,
    validated: DataFrame,
    run_id: str,
    batches: list[str],
    quarantined: int,
) -> None:
    """Invalid rows with every bronze column, the reason and this run's id, per batch."""
    table = lake.quarantine_table(entity.name)
    # Clear earlier attempts first: a batch with no invalid rows writes no partition.
    for batch in batches:
        fs.delete(f"{table}/{BATCH}={batch}")
    if not quarantined:
        return
    columns = [
        F.lit(run_id).alias(c) if c == "_run_id" else F.col(c) for c in entity.bronze_columns
    ]
    (
        validated.filter(F.col(REASON_CODE).isNotNull())
        .select(*columns, REASON_CODE, BATCH)
        .write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy(BATCH)
        .parquet(table)
    )


def latest_per_key(
    validated: DataFrame, entity: Entity, duplicates: Observation, small: bool = False
) -> DataFrame:
    """Valid rows reduced to one per key, in silver shape; counts the rows dropped.

    Most keys arrive once, so in a large input only rows whose key repeats are ranked: a
    key-only aggregation finds them (a narrow shuffle), and the other rows flow through
    untouched, in their arrival order. Ranking everything would shuffle and sort every row
    with every column. A `small` input is simply ranked whole (one job instead of two).
    """
    key = entity.key
    rows = validated.filter(F.col(REASON_CODE).isNull()).select(*silver_projection(entity), BATCH)
    values = [F.col(c) for c in entity.silver_columns]
    order = Window.partitionBy(key).orderBy(
        F.col("updated_at").desc(), F.col(BATCH).desc(), F.xxhash64(*values).desc()
    )
    if small:
        ranked = rows.withColumn(_RANK, F.row_number().over(order)).observe(
            duplicates, F.count(F.when(F.col(_RANK) > 1, 1)).alias("duplicates")
        )
        return ranked.filter(F.col(_RANK) == 1).select(*entity.silver_columns)
    repeated = (
        rows.groupBy(key)
        .agg(F.count(F.lit(1)).alias("copies"))
        .filter(F.col("copies") > 1)
        .observe(duplicates, F.coalesce(F.sum(F.col("copies") - 1), F.lit(0)).alias("duplicates"))
        .select(key)
        .localCheckpoint(eager=True)
    )
    many = int(duplicates.get["duplicates"]) > BROADCAST_KEYS
    keys = repeated if many else F.broadcast(repeated)
    ranked = (
        rows.join(keys, key, "left_semi")
        .withColumn(_RANK, F.row_number().over(order))
        .filter(F.col(_RANK) == 1)
    )
    singles = rows.join(keys, key, "left_anti")
    return singles.unionByName(ranked.drop(_RANK)).select(*entity.silver_columns)


def _json_set(value: Column | None) -> Column:
    """Distinct non-null values as a JSON array: observed metrics reach Python as plain
    values only, not as arrays."""
    if value is None:
        return F.lit("[]")
    return F.to_json(F.collect_set(value))


def _max_updated_at(condition: Column | None = None) -> Column:
    # Formatted in Spark (session time zone UTC): Python would convert to its local zone.
    value = F.col("updated_at") if condition is None else F.when(condition, F.col("updated_at"))
    return F.date_format(F.max(value), "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")


def _counts(batches: list[str], reasons: Observation, duplicates: Observation) -> SilverCounts:
    metrics = reasons.get
    return SilverCounts(
        batches=batches,
        rows_in=int(metrics["rows_in"]),
        quarantined=int(metrics["quarantined"]),
        quarantine_by_reason={r: int(metrics[r]) for r in REASONS},
        duplicates_in_input=int(duplicates.get["duplicates"]),
    )


def build_full(
    spark: SparkSession, fs: LakeFS, lake: Lake, entity: Entity, run_id: str, batches: list[str]
) -> SilverResult:
    """Rebuild the silver table and the quarantine from every bronze batch."""
    name = entity.name
    reasons, duplicates, written = (Observation(f"{name}_{n}") for n in "qdw")
    with step(f"{name}.validate"):
        validated = validate(read_bronze(spark, lake, entity, None), entity, reasons)
    with step(f"{name}.quarantine"):
        fs.delete(lake.quarantine_table(name))
        quarantined = int(reasons.get["quarantined"])
        write_quarantine(fs, lake, entity, validated, run_id, [], quarantined)
    with step(f"{name}.deduplicate_write"):
        # Files of ROWS_PER_FILE rows in arrival order: feeds deliver roughly in time order,
        # so a file holds neighbouring dates and a later change rewrites few files.
        writer = (
            latest_per_key(validated, entity, duplicates)
            .observe(written, F.count(F.lit(1)).alias("rows"), _max_updated_at().alias("max"))
            .write.option("maxRecordsPerFile", ROWS_PER_FILE)
            .mode("overwrite")
        )
        without_dictionary(writer, entity.distinct).parquet(lake.silver_table(name))
    counts = _counts(batches, reasons, duplicates)
    counts.inserted = counts.silver_rows_after = int(written.get["rows"])
    return SilverResult(counts, None, written.get["max"])


@dataclass
class _Located:
    """Incoming winners-to-be, classified against the silver rows they meet."""

    classified: DataFrame
    inserted: int
    updated: int
    stale: int
    files: list[str]  # table files holding a version that loses to an incoming row
    dates: list[str] | None  # order dates of both the old and the new versions
    max_updated_at: str | None
    silver_rows: int


def _silver_rows(spark: SparkSession, table: str) -> int:
    """Rows in the table; a count without columns is answered from Parquet footers."""
    return int(spark.read.parquet(table).count())


def _nothing_located(spark: SparkSession, table: str, entity: Entity) -> _Located:
    """No incoming winners (every input row quarantined or a duplicate): nothing to merge."""
    empty = spark.createDataFrame(
        [], spark.read.parquet(table).select(*entity.silver_columns).schema
    )
    dates: list[str] | None = [] if entity is ORDERS else None
    return _Located(empty, 0, 0, 0, [], dates, None, _silver_rows(spark, table))


def _locate(
    spark: SparkSession, table: str, entity: Entity, incoming: DataFrame, incoming_rows: int
) -> _Located:
    """Find where each incoming key lives in silver and decide inserted / updated / stale.

    The incoming side is small, so it is broadcast and the table is scanned once, reading
    three columns; the matches are materialised by that scan's own action. The silver row
    count is observed on the same scan: its observation sits in the plan's only stage, so
    Spark cannot prune it (adaptive execution drops a sub-plan whose result turns out empty,
    observations included, which is what happens when no incoming key is in silver yet).
    """
    if not incoming_rows:
        return _nothing_located(spark, table, entity)
    key, dated = entity.key, entity is ORDERS
    summary = Observation(f"{entity.name}_s")
    located, silver_rows = _matches(spark, table, entity, incoming)
    won = F.col(_CLASS) != "stale"

    def dates(column: str) -> Column:
        return _json_set(F.when(won, F.col(column).cast("string")) if dated else None)

    classified = (
        incoming.join(F.broadcast(located), key, "left")
        .withColumn(
            _CLASS,
            F.when(F.col(_OLD_UPDATED).isNull(), "inserted")
            .when(F.col("updated_at") >= F.col(_OLD_UPDATED), "updated")
            .otherwise("stale"),
        )
        .observe(
            summary,
            *(F.count(F.when(F.col(_CLASS) == c, 1)).alias(c) for c in _CLASSES),
            _json_set(F.when(won, F.col(_FILE))).alias("files"),
            dates("order_date").alias("dates"),
            dates(_OLD_DATE).alias("old_dates"),
            _max_updated_at(won).alias("max"),
        )
        .localCheckpoint(eager=True)
    )
    found = summary.get
    touched = {*json.loads(found["dates"]), *json.loads(found["old_dates"])}
    return _Located(
        classified=classified.filter(won).select(*entity.silver_columns),
        inserted=int(found["inserted"]),
        updated=int(found["updated"]),
        stale=int(found["stale"]),
        files=sorted(json.loads(found["files"])),
        dates=sorted(touched) if dated else None,
        max_updated_at=found["max"],
        silver_rows=silver_rows,
    )


def _matches(
    spark: SparkSession, table: str, entity: Entity, incoming: DataFrame
) -> tuple[DataFrame, int]:
    """The silver rows of the incoming keys (key, old updated_at, file, old order date),
    materialised, and the silver row count observed on the same scan."""
    key = entity.key
    before = Observation(f"{entity.name}_b")
    old = [F.col("updated_at").alias(_OLD_UPDATED), F.input_file_name().alias(_FILE)]
    if entity is ORDERS:
        old.append(F.col("order_date").alias(_OLD_DATE))
    located = (
        spark.read.parquet(table)
        .select(key, *old)
        .observe(before, F.count(F.lit(1)).alias("rows"))
        .join(F.broadcast(incoming.select(key)), key)
        .localCheckpoint(eager=True)
    )
    return located, int(before.get["rows"])


def _rewrite(
    spark: SparkSession, entity: Entity, winners: DataFrame, replaced: list[str], staging: str
) -> tuple[int, int]:
    """Write the replaced files' rows minus the winners' keys, plus the winners, to
    `staging`; returns (rows read from replaced files, rows written)."""
    read, written = Observation(f"{entity.name}_r"), Observation(f"{entity.name}_w")
    rows = winners
    if replaced:
        old_rows = spark.read.parquet(*replaced).observe(read, F.count(F.lit(1)).alias("rows"))
        kept = old_rows.join(F.broadcast(winners.select(entity.key)), entity.key, "left_anti")
        rows = kept.unionByName(winners)
    # One pass sorted by key, cut into files of ROWS_PER_FILE: ids that follow time keep
    # neighbouring dates together, as arrival order does in a full build.
    writer = (
        rows.repartition(1)
        .sortWithinPartitions(entity.key)
        .observe(written, F.count(F.lit(1)).alias("rows"))
        .write.option("maxRecordsPerFile", ROWS_PER_FILE)
        .mode("overwrite")
    )
    without_dictionary(writer, entity.distinct).parquet(staging)
    return (int(read.get["rows"]) if replaced else 0), int(written.get["rows"])


def merge_incremental(
    spark: SparkSession, fs: LakeFS, lake: Lake, entity: Entity, run_id: str, batches: list[str]
) -> SilverResult:
    """Merge the winners of `batches` into silver, staging the rewritten files.

    The caller publishes: moves the staged files into the table and deletes
    `result.replaced_files`.
    """
    name, table = entity.name, lake.silver_table(entity.name)
    reasons, duplicates = Observation(f"{name}_q"), Observation(f"{name}_d")
    with step(f"{name}.validate"):
        validated = validate(read_bronze(spark, lake, entity, batches), entity, reasons)
    with step(f"{name}.quarantine"):
        quarantined = int(reasons.get["quarantined"])
        write_quarantine(fs, lake, entity, validated, run_id, batches, quarantined)
    with step(f"{name}.deduplicate"):
        # Materialised: it feeds both sides of the join in _locate, and is small.
        small = int(reasons.get["rows_in"]) <= SMALL_INPUT
        incoming = latest_per_key(validated, entity, duplicates, small)
        incoming = incoming.localCheckpoint(eager=True)
    counts = _counts(batches, reasons, duplicates)
    with step(f"{name}.locate"):
        winners = counts.rows_in - counts.quarantined - counts.duplicates_in_input
        found = _locate(spark, table, entity, incoming, winners)
    staging = lake.staging(table, run_id)
    with step(f"{name}.rewrite"):
        removed = written = 0
        if found.inserted + found.updated:  # else nothing changes: no files to stage
            removed, written = _rewrite(spark, entity, found.classified, found.files, staging)

    counts.inserted, counts.updated, counts.stale_versions = (
        found.inserted,
        found.updated,
        found.stale,
    )
    counts.silver_rows_before = found.silver_rows
    counts.files_replaced, counts.rows_rewritten = len(found.files), written
    counts.silver_rows_after = found.silver_rows - removed + written
    return SilverResult(counts, found.dates, found.max_updated_at, staging, found.files)
