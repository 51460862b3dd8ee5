"""Byte-reproducible table writes: one sorted Parquet file under a fixed name.

Spark names output files after a random job id; the bytes themselves depend only on the
rows, their order and the schema (parquet-mr writes no timestamps). So the table is written
to a staging folder as a single sorted file, renamed to `part-00000.snappy.parquet`, and the
folder then replaces the table. Two runs over the same rows give identical files.
"""

from __future__ import annotations

from typing import Final

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakelab_jobs.lakefs import LakeFS, join

FILE_NAME: Final = "part-00000.snappy.parquet"


def all_nullable(df: DataFrame) -> DataFrame:
    """The same columns, all nullable: a column's nullability is part of the Parquet schema,
    and differs between a fresh aggregate and a table read back, so it is fixed here."""
    return df.select(*(F.when(F.lit(True), F.col(c)).alias(c) for c in df.columns))


def write_single_file(
    fs: LakeFS, df: DataFrame, target: str, staging: str, sort_by: list[str]
) -> None:
    """Replace the table at `target` with `df` as one file sorted by `sort_by` (a unique key)."""
    (
        all_nullable(df)
        .repartition(1)
        .sortWithinPartitions(*sort_by)
        .write.mode("overwrite")
        .parquet(staging)
    )
    parts = [f for f in fs.list_files(staging) if f.endswith(".parquet")]
    if len(parts) != 1:
        raise RuntimeError(f"expected one Parquet file in {staging}, found {parts}")
    fs.move(join(staging, parts[0]), join(staging, FILE_NAME))
    fs.move(staging, target)
