"""Bronze: landing CSVs kept exactly as received (all strings) plus lineage columns.

One partition per landing batch (`batch=<file stem>`). An incremental run ingests only the
batches bronze does not hold yet; a full run re-ingests every landing batch and replaces the
whole table. Either way a rerun overwrites the partitions it writes, never appends twice.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from functools import reduce
from typing import Any

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakelab_jobs.contract import BATCH, Entity
from lakelab_jobs.lakefs import LakeFS, join
from lakelab_jobs.layout import Lake
from lakelab_jobs.publish import without_dictionary
from lakelab_jobs.timing import step

CSV_SUFFIX = ".csv"
# Up to this many batches are read as one scan each (cheaper lineage, small plans).
MAX_UNION = 16


def landing_batches(fs: LakeFS, lake: Lake, entity: Entity) -> list[str]:
    """Batch names (file stems) in landing, in name order (= arrival order by convention)."""
    files = fs.list_files(lake.landing_dir(entity.name))
    return [f.removesuffix(CSV_SUFFIX) for f in files if f.endswith(CSV_SUFFIX)]


def bronze_batches(fs: LakeFS, lake: Lake, entity: Entity) -> list[str]:
    """Batches bronze holds: `batch=` folders with data in them (an emptied folder is a
    batch still to ingest)."""
    prefix = f"{BATCH}="
    dirs = fs.dirs_with_files(lake.bronze_table(entity.name))
    return [d.removeprefix(prefix) for d in dirs if d.startswith(prefix)]


class LandingError(ValueError):
    """A landing file the contract cannot read; the message names the file and the line."""


def _header(head: bytes) -> list[str] | None:
    """The first CSV record of a file's first bytes; None for an empty file."""
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if not text.strip():
        return None
    return next(csv.reader(io.StringIO(text.splitlines()[0])), [])


def check_headers(fs: LakeFS, lake: Lake, entity: Entity, batches: list[str]) -> None:
    """Fail before Spark starts on a file whose header is not the contract's, by position
    and name (case-insensitive, as Spark compares them), with one line saying where."""
    expected = list(entity.landing)
    for batch in batches:
        path = join(lake.landing_dir(entity.name), batch + CSV_SUFFIX)
        found = _header(fs.read_head(path))
        if found is None:
            continue  # an empty file holds no rows (Spark reads none)
        names = [name.strip() for name in found]
        if [n.lower() for n in names] == [n.lower() for n in expected]:
            continue
        where = next(
            (
                i
                for i, (a, b) in enumerate(zip(names, expected, strict=False))
                if a.lower() != b.lower()
            ),
            min(len(names), len(expected)),
        )
        got = repr(names[where]) if where < len(names) else "nothing"
        want = repr(expected[where]) if where < len(expected) else "no more columns"
        raise LandingError(
            f"{path}: line 1: the header does not match the {entity.name} contract: "
            f"column {where + 1} is {got}, expected {want} (expected header: "
            f"{','.join(expected)})"
        )


def pending_batches(fs: LakeFS, lake: Lake, entity: Entity, full: bool) -> list[str]:
    """Landing batches a run ingests: all when `full`, else those bronze does not hold."""
    done = set() if full else set(bronze_batches(fs, lake, entity))
    return [b for b in landing_batches(fs, lake, entity) if b not in done]


def read_landing(spark: SparkSession, lake: Lake, entity: Entity, batches: list[str]) -> DataFrame:
    """The batches' CSV rows as strings, with `_source_file` and the batch name. Headers must
    match the contract (by position and name), so a reordered or renamed source fails
    loudly here."""
    schema = T.StructType([T.StructField(c, T.StringType()) for c in entity.landing])
    # multiLine: a quoted field may hold a line break (RFC 4180); line-by-line parsing would
    # cut such a record in two.
    reader = spark.read.options(
        header=True, enforceSchema=False, mode="PERMISSIVE", multiLine=True
    ).schema(schema)
    paths = [join(lake.landing_dir(entity.name), b + CSV_SUFFIX) for b in batches]
    if len(batches) > MAX_UNION:
        # Many files (a rebuild after months of daily batches): one scan, lineage per row.
        source = F.input_file_name()
        return reader.csv(paths).select(
            *entity.landing,
            source.alias("_source_file"),
            F.regexp_extract(source, r"([^/]+)\.csv$", 1).alias(BATCH),
        )
    parts = []
    for batch in batches:
        path = join(lake.landing_dir(entity.name), batch + CSV_SUFFIX)
        # Lineage as constants per file: cheaper than input_file_name() on every row.
        parts.append(
            reader.csv(path).select(
                *entity.landing, F.lit(path).alias("_source_file"), F.lit(batch).alias(BATCH)
            )
        )
    return reduce(DataFrame.unionByName, parts)


def ingest(
    spark: SparkSession,
    fs: LakeFS,
    lake: Lake,
    entity: Entity,
    run_id: str,
    ingested_at: datetime,
    full: bool,
) -> dict[str, Any]:
    """Land new batches (or all, when `full`) into bronze; returns the table's counts."""
    todo = pending_batches(fs, lake, entity, full)
    counts: dict[str, Any] = {"batches": todo, "rows_in": 0, "rows_out": 0}
    if not todo:
        if full:
            fs.delete(lake.bronze_table(entity.name))
        return counts

    rows = Observation(f"bronze_{entity.name}")
    df = read_landing(spark, lake, entity, todo).select(
        *entity.landing,
        "_source_file",
        F.lit(ingested_at).cast("timestamp").alias("_ingested_at"),
        F.lit(run_id).alias("_run_id"),
        BATCH,
    )
    with step(f"{entity.name}.ingest"):
        writer = (
            df.observe(rows, F.count(F.lit(1)).alias("rows"))
            .write.mode("overwrite")
            # Full: replace the whole table; incremental: only the batches written.
            .option("partitionOverwriteMode", "static" if full else "dynamic")
            .partitionBy(BATCH)
        )
        without_dictionary(writer, entity.distinct).parquet(lake.bronze_table(entity.name))
    written = int(rows.get["rows"])
    counts.update(rows_in=written, rows_out=written)
    return counts
