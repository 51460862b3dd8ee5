"""The learner's Glue Data Catalog: tables and partitions registered as a crawler would.

One table per folder of a catalog layer, Parquet SerDe, Hive-style partitions (`batch=...`)
as partition keys, partitions added as they appear. Calls are signed with the learner's own
keys, so the learner policy applies, on AWS and on its twin alike.
"""

from __future__ import annotations

from typing import Any

from lakelab.catalog import TableSpec
from lakelab.clouds.aws.clients import Target
from lakelab.profile import LearnerProfile

_PARQUET = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    },
}


def glue_client(profile: LearnerProfile) -> Any:
    return Target(profile.endpoint, profile.key_id, profile.secret, profile.region).client("glue")


def register_glue(profile: LearnerProfile, specs: list[TableSpec]) -> int:
    """Create or update each table and add its new partitions; returns partitions added."""
    glue = glue_client(profile)
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


def glue_tables(profile: LearnerProfile) -> list[TableSpec]:
    glue = glue_client(profile)
    specs: list[TableSpec] = []
    for db in profile.catalog_databases():
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
