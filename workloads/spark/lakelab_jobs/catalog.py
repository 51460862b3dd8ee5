"""The layers' tables as a catalog holds them, and their registration in the Glue Data Catalog.

After a run the job registers what it wrote, so Athena and dbt-athena see bronze, silver and
gold right away, without a crawler (a crawler bills a 10-minute minimum per run):

- `spark_tables` reads a layer through Spark: one table per folder, columns from the Parquet
  footers as Hive types, Hive-style partitions (`batch=...`) from the file paths (the data is
  not read);
- `register_glue` creates or updates each table and adds the partitions Glue lacks, with the
  Parquet SerDe a crawler would choose.

The same `TableSpec` and `register_glue` serve the local twin (`lakelab.clouds.aws.catalog`,
which scans the mirror with pyarrow instead of Spark), so the job and the twin register
identical tables. boto3 is imported by the caller (it is on Glue, not needed elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from lakelab_jobs.lakefs import LakeFS, join
from lakelab_jobs.layout import Lake

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PARQUET: Final[dict[str, Any]] = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    },
}
# A stage writes beside a table, then renames; a folder left by a failed run is no table.
_STAGING: Final = ".__staging-"
BATCH_LIMIT: Final = 100  # BatchCreatePartition takes at most 100 partitions per call


@dataclass(frozen=True)
class TableSpec:
    database: str
    name: str
    location: str  # s3://bucket/table/ or abfs://container/table/
    columns: list[tuple[str, str]]  # (name, hive type), partition keys excluded
    partition_keys: list[str] = field(default_factory=list)
    partitions: list[list[str]] = field(default_factory=list)
    # A view's SQL in the catalog's dialect (an Athena view in Glue); None for a table.
    view_sql: str | None = None


def _partition_values(location: str, path: str) -> tuple[list[str], list[str]]:
    """(keys, values) of the `key=value` folders between a table's location and a file."""
    relative = path.split(location.rstrip("/") + "/", 1)[-1]
    pairs = [part.split("=", 1) for part in relative.split("/")[:-1] if "=" in part]
    return [k for k, _ in pairs], [v for _, v in pairs]


def spark_tables(spark: SparkSession, layer_uri: str, database: str) -> list[TableSpec]:
    """The tables of a layer as Spark sees them (listings and footers only)."""
    specs: list[TableSpec] = []
    for name in LakeFS(spark).dirs_with_files(layer_uri):
        if name.startswith(("_", ".")) or _STAGING in name:
            continue
        location = join(layer_uri, name) + "/"
        frame = spark.read.parquet(location)
        files = sorted(frame.inputFiles())
        if not files:
            continue
        keys, _ = _partition_values(location, files[0])
        partitions = sorted({tuple(_partition_values(location, f)[1]) for f in files})
        specs.append(
            TableSpec(
                database=database,
                name=name,
                location=location,
                columns=[
                    (f.name, f.dataType.simpleString())
                    for f in frame.schema.fields
                    if f.name not in keys
                ],
                partition_keys=keys,
                partitions=[list(p) for p in partitions if p],
            )
        )
    return specs


def _descriptor(spec: TableSpec, location: str) -> dict[str, Any]:
    return {
        "Columns": [{"Name": n, "Type": t} for n, t in spec.columns],
        "Location": location,
        **PARQUET,
    }


def table_input(spec: TableSpec) -> dict[str, Any]:
    return {
        "Name": spec.name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
        "PartitionKeys": [{"Name": k, "Type": "string"} for k in spec.partition_keys],
        "StorageDescriptor": _descriptor(spec, spec.location),
    }


def register_glue(glue: Any, specs: list[TableSpec]) -> int:
    """Create or update each table and add its new partitions; returns partitions added."""
    added = 0
    for spec in specs:
        try:
            glue.update_table(DatabaseName=spec.database, TableInput=table_input(spec))
        except glue.exceptions.EntityNotFoundException:
            glue.create_table(DatabaseName=spec.database, TableInput=table_input(spec))
        if not spec.partition_keys:
            continue
        known = {
            tuple(p["Values"])
            for page in glue.get_paginator("get_partitions").paginate(
                DatabaseName=spec.database, TableName=spec.name
            )
            for p in page["Partitions"]
        }
        new = [p for p in spec.partitions if tuple(p) not in known]
        for start in range(0, len(new), BATCH_LIMIT):
            chunk = new[start : start + BATCH_LIMIT]
            glue.batch_create_partition(
                DatabaseName=spec.database,
                TableName=spec.name,
                PartitionInputList=[
                    {"Values": values, "StorageDescriptor": _descriptor(spec, _path(spec, values))}
                    for values in chunk
                ],
            )
            added += len(chunk)
    return added


def _path(spec: TableSpec, values: list[str]) -> str:
    parts = "/".join(f"{k}={v}" for k, v in zip(spec.partition_keys, values, strict=True))
    return f"{spec.location}{parts}/"


def database(prefix: str, layer: str) -> str:
    """A layer's catalog database: `<prefix>_<layer>` (the one spelling, for the jobs and for
    lakelab's names)."""
    return f"{prefix}_{layer}"


# What each stage writes that a catalog lists (quarantine and state are not tables to query).
STAGE_LAYERS: Final[dict[str, str]] = {"bronze": "bronze", "silver": "silver", "gold": "gold"}


def register_stages(
    spark: SparkSession, glue: Any, lake: Lake, stages: tuple[str, ...], prefix: str
) -> int:
    """Register the tables of the layers `stages` wrote in `<prefix>_<layer>`; returns the
    tables registered."""
    specs: list[TableSpec] = []
    for stage in stages:
        layer = STAGE_LAYERS[stage]
        specs += spark_tables(spark, getattr(lake, layer), database(prefix, layer))
    register_glue(glue, specs)
    return len(specs)
