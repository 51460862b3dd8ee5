"""The twin's serverless SQL catalog: a DuckDB file standing in for Synapse serverless SQL.

One schema per catalog database, one view per table over the blob container. The file is
the profile's `sql_catalog`; labs open it read-only to query what a pipeline registered.
"""

from __future__ import annotations

from lakelab.catalog import TableSpec, scan_expression
from lakelab.errors import UserError
from lakelab.profile import LearnerProfile


def register_duckdb(profile: LearnerProfile, specs: list[TableSpec]) -> int:
    """Views in the serverless SQL catalog file; defining them reads the blobs' footers."""
    import duckdb

    from lakelab.clouds.azure.fs import blob_filesystem
    from lakelab.lakefs import ByteCounter

    con = duckdb.connect(_catalog_file(profile))
    con.register_filesystem(blob_filesystem(profile, ByteCounter()))
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


def _catalog_file(profile: LearnerProfile) -> str:
    if not profile.sql_catalog:
        raise UserError(f"the profile of {profile.stack} has no serverless SQL catalog")
    return profile.sql_catalog


def catalog_tables(profile: LearnerProfile) -> list[TableSpec]:
    import duckdb

    con = duckdb.connect(_catalog_file(profile), read_only=True)
    try:
        rows = con.execute(
            "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    finally:
        con.close()
    specs = []
    for schema, view, sql in rows:
        location = (
            str(sql).split("read_parquet('", 1)[1].split("**", 1)[0]
            if "read_parquet('" in str(sql)
            else ""
        )
        specs.append(
            TableSpec(
                database=str(schema),
                name=str(view),
                location=location,
                columns=[],
                partition_keys=["batch"] if "hive_partitioning" in str(sql) else [],
            )
        )
    return specs
