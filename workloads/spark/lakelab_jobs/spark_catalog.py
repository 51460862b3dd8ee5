"""The layers' tables in the Spark catalog, which Synapse shares with serverless SQL.

On Synapse the pipeline's `catalog` step runs this (`--stage catalog`): one Spark database per
layer (`<prefix>_<layer>`, the names the twin's serverless SQL catalog uses) and one external
Parquet table per table folder, over the lake where the stages wrote it. Synapse's shared
metadata then creates, asynchronously and after a short delay, a serverless SQL database of
the same name with each table as an external table in its `dbo` schema; Parquet tables are
shared, Spark views are not, table names arrive lower-cased, and the synchronized objects are
read-only on the SQL side (Microsoft Learn, "Azure Synapse Analytics shared metadata tables",
https://learn.microsoft.com/azure/synapse-analytics/metadata/table). So this module creates
external tables only, never views, with lower-case names.

A table whose columns are unchanged keeps its definition and gains the new partitions
(`RECOVER PARTITIONS`); one whose columns changed is dropped and created again (dropping an
external table leaves its files alone).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from lakelab_jobs.catalog import STAGE_LAYERS, TableSpec, database, spark_tables
from lakelab_jobs.layout import Lake

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Names the shared metadata keeps as they are: lower case (Synapse lower-cases table names),
# letters, digits and underscores, so a name needs no quoting in T-SQL either.
_NAME: Final = re.compile(r"^[a-z_][a-z0-9_]*$")


def _quoted(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(
            f"catalog name {name!r}: use lower-case letters, digits and '_' (serverless SQL"
            " sees Spark table names lower-cased)"
        )
    return f"`{name}`"


def qualified(spec: TableSpec) -> str:
    return f"{_quoted(spec.database)}.{_quoted(spec.name)}"


def create_database(name: str) -> str:
    return f"CREATE DATABASE IF NOT EXISTS {_quoted(name)}"


def create_table(spec: TableSpec) -> str:
    """An external Parquet table over the table's folder; partition keys are string columns
    listed last, as Spark stores them."""
    columns = [*spec.columns, *((key, "string") for key in spec.partition_keys)]
    listed = ", ".join(f"{_quoted(n)} {t}" for n, t in columns)
    partitioned = (
        f" PARTITIONED BY ({', '.join(_quoted(k) for k in spec.partition_keys)})"
        if spec.partition_keys
        else ""
    )
    location = spec.location.replace("'", "\\'")
    return (
        f"CREATE TABLE {qualified(spec)} ({listed}) USING PARQUET{partitioned}"
        f" LOCATION '{location}'"
    )


def table_statements(spec: TableSpec, current: list[tuple[str, str]] | None) -> list[str]:
    """What brings one table up to date, given the columns the catalog holds now (None: no
    such table)."""
    wanted = [*spec.columns, *((key, "string") for key in spec.partition_keys)]
    statements = []
    if current != wanted:
        if current is not None:
            statements.append(f"DROP TABLE {qualified(spec)}")
        statements.append(create_table(spec))
    if spec.partition_keys:
        statements.append(f"ALTER TABLE {qualified(spec)} RECOVER PARTITIONS")
    statements.append(f"REFRESH TABLE {qualified(spec)}")
    return statements


def _current_columns(spark: SparkSession, spec: TableSpec) -> list[tuple[str, str]] | None:
    name = f"{spec.database}.{spec.name}"
    if not spark.catalog.tableExists(name):
        return None
    # Spark keeps a table's partition columns last, the order `table_statements` compares.
    return [(c.name, c.dataType) for c in spark.catalog.listColumns(name)]


def register_spark(spark: SparkSession, specs: list[TableSpec]) -> list[str]:
    """Create or refresh each table's database and table; returns the statements run."""
    ran: list[str] = []
    for name in sorted({s.database for s in specs}):
        ran.append(create_database(name))
        spark.sql(ran[-1])
    for spec in specs:
        for statement in table_statements(spec, _current_columns(spark, spec)):
            spark.sql(statement)
            ran.append(statement)
    return ran


def register_layers(spark: SparkSession, lake: Lake, prefix: str) -> list[TableSpec]:
    """Every table of the layers the stages write, registered in `<prefix>_<layer>`."""
    specs: list[TableSpec] = []
    for layer in STAGE_LAYERS.values():
        specs += spark_tables(spark, getattr(lake, layer), database(prefix, layer))
    register_spark(spark, specs)
    return specs
