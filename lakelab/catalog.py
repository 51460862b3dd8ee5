"""The tables of a learner's lake, as a crawler would find them, cloud-neutral.

`scan_tables` reads a layer's local mirror into `TableSpec`s (one table per folder, Parquet
columns as Hive types, Hive-style partitions); each cloud's home registers them in its own
catalog (`CloudTarget.register_tables`: Glue on AWS, the serverless SQL catalog on Azure) and
reads them back (`CloudTarget.catalog_tables`). Databases keep the same names on both clouds
(`<cohort>_<learner>_<layer>`).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from lakelab_jobs.catalog import TableSpec

__all__ = ["TableSpec", "hive_type", "scan_expression", "scan_tables"]


def hive_type(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_int32(t):
        return "int"
    if pa.types.is_int64(t):
        return "bigint"
    if pa.types.is_decimal(t):
        return f"decimal({t.precision},{t.scale})"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_floating(t):
        return "double"
    if pa.types.is_boolean(t):
        return "boolean"
    return "string"


def scan_tables(root: Path, layer: str, database: str, base_uri: str) -> list[TableSpec]:
    """The tables of a local layer folder: one per top-level folder holding Parquet files."""
    specs: list[TableSpec] = []
    layer_dir = root / layer
    if not layer_dir.is_dir():
        return specs
    for table_dir in sorted(
        p for p in layer_dir.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
    ):
        files = sorted(table_dir.rglob("*.parquet"))
        if not files:
            continue
        partition_keys = [
            part.split("=", 1)[0]
            for part in files[0].relative_to(table_dir).parts[:-1]
            if "=" in part
        ]
        schema = pq.read_schema(files[0])
        columns = [(f.name, hive_type(f.type)) for f in schema if f.name not in partition_keys]
        partitions = sorted(
            {
                tuple(
                    part.split("=", 1)[1]
                    for part in f.relative_to(table_dir).parts[:-1]
                    if "=" in part
                )
                for f in files
            }
        )
        specs.append(
            TableSpec(
                database=database,
                name=table_dir.name,
                location=f"{base_uri.rstrip('/')}/{table_dir.name}/",
                columns=columns,
                partition_keys=partition_keys,
                partitions=[list(p) for p in partitions if p],
            )
        )
    return specs


def scan_expression(spec: TableSpec) -> str:
    hive = ", hive_partitioning = true" if spec.partition_keys else ""
    # A location is a folder whether or not it ends with `/` (Athena's CTAS locations may not).
    folder = spec.location.rstrip("/") + "/"
    return f"read_parquet('{folder}**/*.parquet', union_by_name = true{hive})"
