"""The learner's Glue Data Catalog: tables and partitions registered as a crawler would.

One table per folder of a catalog layer, Parquet SerDe, Hive-style partitions (`batch=...`)
as partition keys, partitions added as they appear (`lakelab_jobs.catalog`, which the Glue
jobs run too). Calls here are signed with the learner's own keys, so the learner policy
applies, on AWS and on its twin alike.
"""

from __future__ import annotations

from typing import Any

from lakelab_jobs import catalog as jobs_catalog

from lakelab.catalog import TableSpec
from lakelab.clouds.aws.clients import Target
from lakelab.clouds.aws.views import view_sql
from lakelab.profile import LearnerProfile


def glue_client(profile: LearnerProfile) -> Any:
    return Target(profile.endpoint, profile.key_id, profile.secret, profile.region).client("glue")


def register_glue(profile: LearnerProfile, specs: list[TableSpec]) -> int:
    """Create or update each table and add its new partitions; returns partitions added.
    The same code the Glue jobs run after each stage (`lakelab_jobs.catalog`)."""
    return jobs_catalog.register_glue(glue_client(profile), specs)


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
                        view_sql=view_sql(t),
                    )
                )
    return specs
