"""Registering a learner's tables in their catalog, as a crawler would, and reading it back.

- AWS (and its twin): the Glue Data Catalog: one table per folder of a catalog layer, Parquet
  SerDe, Hive-style partitions (`batch=...`) as partition keys, partitions added as they
  appear. Calls are signed with the learner's own keys, so the learner policy applies.
- Azure twin: the serverless SQL catalog file (`LAKELAB_SQL_DATABASE`, DuckDB standing in for
  Synapse serverless SQL): one schema per catalog database, one view per table over the
  blob container.

Databases keep the same names on both clouds (`<cohort>_<learner>_<layer>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from lakelab.naming import CATALOG_LAYERS


@dataclass(frozen=True)
class TableSpec:
    database: str
    name: str
    location: str  # s3://bucket/table/ or abfs://container/table/
    columns: list[tuple[str, str]]  # (name, hive type), partition keys excluded
    partition_keys: list[str] = field(default_factory=list)
    partitions: list[list[str]] = field(default_factory=list)


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


# --- Glue ---------------------------------------------------------------------------------------
_PARQUET = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    },
}


def glue_client(env: Mapping[str, str]) -> Any:
    import boto3

    return boto3.client(
        "glue",
        endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
        region_name=env.get("AWS_REGION", "us-east-1"),
    )


def register_glue(env: Mapping[str, str], specs: list[TableSpec]) -> int:
    """Create or update each table and add its new partitions; returns partitions added."""
    glue = glue_client(env)
    added = 0
    for spec in specs:
        table_input = {
            "Name": spec.name,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
            "PartitionKeys": [{"Name": k, "Type": "string"} for k in spec.partition_keys],
            "StorageDescriptor": {
                "Columns": [{"Name": n, "Type": t} for n, t in spec.columns],
                "Location": spec.location,
                **_PARQUET,
            },
        }
        try:
            glue.update_table(DatabaseName=spec.database, TableInput=table_input)
        except glue.exceptions.EntityNotFoundException:
            glue.create_table(DatabaseName=spec.database, TableInput=table_input)
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
        for start in range(0, len(new), 100):
            chunk = new[start : start + 100]
            glue.batch_create_partition(
                DatabaseName=spec.database,
                TableName=spec.name,
                PartitionInputList=[
                    {
                        "Values": values,
                        "StorageDescriptor": {
                            "Columns": [{"Name": n, "Type": t} for n, t in spec.columns],
                            "Location": spec.location
                            + "/".join(
                                f"{k}={v}" for k, v in zip(spec.partition_keys, values, strict=True)
                            )
                            + "/",
                            **_PARQUET,
                        },
                    }
                    for values in chunk
                ],
            )
            added += len(chunk)
    return added


def glue_tables(env: Mapping[str, str], databases: list[str]) -> list[TableSpec]:
    glue = glue_client(env)
    specs: list[TableSpec] = []
    for db in databases:
        for page in glue.get_paginator("get_tables").paginate(DatabaseName=db):
            for t in page["TableList"]:
                sd = t.get("StorageDescriptor", {})
                specs.append(
                    TableSpec(
                        database=db,
                        name=t["Name"],
                        location=sd.get("Location", ""),
                        columns=[(c["Name"], c["Type"]) for c in sd.get("Columns", [])],
                        partition_keys=[k["Name"] for k in t.get("PartitionKeys", [])],
                    )
                )
    return specs


# --- the Azure twin's serverless SQL catalog ---------------------------------------------------
def scan_expression(spec: TableSpec) -> str:
    hive = ", hive_partitioning = true" if spec.partition_keys else ""
    return f"read_parquet('{spec.location}**/*.parquet', union_by_name = true{hive})"


def register_duckdb(env: Mapping[str, str], specs: list[TableSpec]) -> int:
    """Views in the serverless SQL catalog file; defining them reads the blobs' footers."""
    import duckdb

    from lakelab.lakefs import ByteCounter, filesystem_for

    con = duckdb.connect(env["LAKELAB_SQL_DATABASE"])
    con.register_filesystem(filesystem_for(env, ByteCounter()))
    try:
        for spec in specs:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{spec.database}"')
            con.execute(
                f'CREATE OR REPLACE VIEW "{spec.database}"."{spec.name}" AS'
                f" SELECT * FROM {scan_expression(spec)}"
            )
    finally:
        con.close()
    return len(specs)


def catalog_databases(env: Mapping[str, str]) -> list[str]:
    return [env[f"LAKELAB_DATABASE_{layer.upper()}"] for layer in CATALOG_LAYERS]
