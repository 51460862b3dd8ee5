"""Byte-reproducible table writes: one sorted Parquet file under a fixed name.

Spark names output files after a random job id; the bytes themselves depend only on the
rows, their order and the schema (parquet-mr writes no timestamps). So the table is written
to a staging folder as a single sorted file, renamed to `part-00000.snappy.parquet`, and the
folder then replaces the table. Two runs over the same rows give identical files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from pyspark.sql import DataFrame, DataFrameWriter
from pyspark.sql import functions as F

from lakelab_jobs.lakefs import LakeFS, join

FILE_NAME: Final = "part-00000.snappy.parquet"


def without_dictionary(writer: DataFrameWriter, columns: Iterable[str]) -> DataFrameWriter:
    """`writer` with Parquet dictionary encoding off for `columns` (nearly unique values:
    the writer would build a dictionary, find it too large and fall back to plain)."""
    for column in columns:
        writer = writer.option(f"parquet.enable.dictionary#{column}", "false")
    return writer


def all_nullable(df: DataFrame) -> DataFrame:
    """The same rows with every column nullable. Nullability is part of the Parquet schema
    and differs between a fresh aggregate (COUNT is never NULL) and a table read back, so it
    is fixed here. A union takes the looser nullability of its inputs; the empty side costs
    nothing, and unlike an expression it is not optimised away (the optimiser drops only
    empty local relations). It is an empty range, not an empty Python list: that would start
    Python worker processes to produce no rows."""
    nothing = df.sparkSession.range(0).select(
        *(F.lit(None).cast(f.dataType).alias(f.name) for f in df.schema)
    )
    return df.unionByName(nothing)


def write_single_file(
    fs: LakeFS,
    df: DataFrame,
    target: str,
    staging: str,
    sort_by: list[str],
    distinct: Iterable[str] = (),
) -> None:
    """Replace the table at `target` with `df` as one file sorted by `sort_by` (a unique key)."""
    rows = all_nullable(df).repartition(1).sortWithinPartitions(*sort_by)
    without_dictionary(rows.write.mode("overwrite"), distinct).parquet(staging)
    parts = [f for f in fs.list_files(staging) if f.endswith(".parquet")]
    if len(parts) != 1:
        raise RuntimeError(f"expected one Parquet file in {staging}, found {parts}")
    fs.move(join(staging, parts[0]), join(staging, FILE_NAME))
    fs.move(staging, target)
