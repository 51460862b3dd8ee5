"""The statements of the twin's Athena that write table data: `CREATE TABLE AS SELECT`,
`INSERT INTO` and (Iceberg tables) `MERGE INTO`.

The query part runs on the `lakelab sql` engine (the learner's sandboxed DuckDB over their own
lake); its rows are written as Parquet to the table's S3 location and the table registered in
the learner's Glue database, every call signed with the learner's keys, so a location in
another learner's bucket or a table in another learner's database is refused by IAM, as on AWS.
Checks come before anything is written, and a table that Glue refuses leaves no file behind.

As Athena documents CTAS (https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html):
`table_type` `HIVE` (default) or `ICEBERG`; a Hive table's data goes to `external_location`,
or to `<workgroup result location>tables/<query id>/` without it; an Iceberg table's to
`location` (required), under `data/`; the location must hold nothing yet
(`HIVE_PATH_ALREADY_EXISTS`); `format` Parquet (the default for Iceberg). Iceberg `MERGE INTO`:
https://docs.aws.amazon.com/athena/latest/ug/merge-into-statement.html

Not emulated: other formats, `partitioned_by` / `partitioning` / `bucketed_by` (refused), and
the Iceberg table format itself: an Iceberg table on the twin is its Parquet data files and a
Glue entry with `table_type=ICEBERG`, without Iceberg metadata (no snapshots, no time travel,
no `metadata_location`); a MERGE rewrites the table's data files.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any, Final

from lakelab.sql import QueryRefused
from localcloud.aws.athena_ddl import (
    Context,
    DdlFailed,
    Outcome,
    get_table,
    is_iceberg,
    name_of,
)

if TYPE_CHECKING:
    import pyarrow as pa

_DECIMAL: Final = re.compile(r"decimal\((\d+),\s*(\d+)\)")
_NOT_EMULATED: Final = ("partitioned_by", "partitioning", "bucketed_by", "bucket_count")


def arrow_type(hive: str) -> pa.DataType:
    """The Arrow type of a Glue (Hive) column type, for the Parquet the twin writes."""
    import pyarrow as pa

    match = _DECIMAL.fullmatch(hive.strip().lower())
    if match:
        return pa.decimal128(int(match.group(1)), int(match.group(2)))
    simple = {
        "bigint": pa.int64(),
        "int": pa.int32(),
        "integer": pa.int32(),
        "smallint": pa.int16(),
        "tinyint": pa.int8(),
        "double": pa.float64(),
        "float": pa.float32(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
    }
    return simple.get(hive.strip().lower(), pa.string())


def properties(tree: Any) -> dict[str, str]:
    """The `WITH (...)` table properties of a CTAS, names lower-case, quotes removed."""
    from sqlglot import exp

    found: dict[str, str] = {}
    props = tree.args.get("properties")
    for prop in props.expressions if props is not None else []:
        if isinstance(prop, exp.LocationProperty):
            found["location"] = prop.this.name
            continue
        key, _, value = prop.sql(dialect="athena").partition("=")
        found[key.strip().lower()] = value.strip().strip("'")
    return found


def split(uri: str) -> tuple[str, str]:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    return bucket, prefix


def folder(uri: str) -> str:
    return uri.rstrip("/") + "/"


def keys_under(ctx: Context, uri: str) -> list[str]:
    bucket, prefix = split(folder(uri))
    pages = ctx.s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


def delete_prefix(ctx: Context, uri: str) -> None:
    if not uri.startswith("s3://"):
        return
    bucket, _ = split(uri)
    keys = keys_under(ctx, uri)
    for start in range(0, len(keys), 1000):
        chunk = [{"Key": k} for k in keys[start : start + 1000]]
        ctx.s3().delete_objects(Bucket=bucket, Delete={"Objects": chunk})


def _select(ctx: Context, select: Any) -> tuple[pa.Table, int]:
    from lakelab.sql import query_arrow

    table, read = query_arrow(ctx.profile, select)
    if ctx.cutoff is not None and read > ctx.cutoff:
        from localcloud.aws.athena_engine import CUTOFF_REASON

        raise DdlFailed(CUTOFF_REASON)
    return table, read


def _put_parquet(ctx: Context, data_uri: str, table: pa.Table) -> str:
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    bucket, prefix = split(folder(data_uri))
    key = f"{prefix}{ctx.query_id}-00000.parquet"
    ctx.s3().put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())
    return key


def _conformed(table: pa.Table, columns: list[tuple[str, str]]) -> pa.Table:
    """`table`'s columns as the Glue table declares them (names, order, types)."""
    import pyarrow as pa

    arrays = {
        name: (
            table.column(name).cast(arrow_type(kind))
            if name in table.column_names
            else pa.nulls(table.num_rows, arrow_type(kind))
        )
        for name, kind in columns
    }
    return pa.table(arrays)


def _glue_input(name: str, location: str, columns: list[tuple[str, str]], iceberg: bool) -> Any:
    from lakelab_jobs.catalog import TableSpec, table_input

    spec_input = table_input(TableSpec(database="", name=name, location=location, columns=columns))
    if iceberg:
        # What Athena's Iceberg tables say in Glue, less the metadata the twin does not write.
        spec_input["Parameters"] = {"table_type": "ICEBERG"}
    return spec_input


def create_table_as(tree: Any, ctx: Context) -> Outcome:
    from lakelab.catalog import hive_type

    database, name = name_of(tree.this, ctx.database)
    props = properties(tree)
    iceberg = props.get("table_type", "hive").upper() == "ICEBERG"
    if props.get("format", "parquet").upper() != "PARQUET":
        raise QueryRefused("refused: the twin's Athena writes tables as Parquet only")
    for prop in _NOT_EMULATED:
        if prop in props:
            raise QueryRefused(f"refused: {prop} is not emulated by the twin's Athena")
    if iceberg:
        location = props.get("location") or ""
        if not location:
            raise DdlFailed("an Iceberg table needs a location")
    else:
        default = f"{folder(ctx.output_location)}tables/{ctx.query_id}/"
        location = props.get("external_location") or default
    glue = ctx.glue()
    glue.get_database(Name=database)  # a missing or foreign database fails here, first
    if get_table(ctx, database, name) is not None:
        raise DdlFailed(f"Table {database}.{name} already exists")
    if keys_under(ctx, location):
        raise DdlFailed(
            f"HIVE_PATH_ALREADY_EXISTS: Target directory for table '{database}.{name}'"
            f" already exists: {location}"
        )
    result, read = _select(ctx, tree.expression)
    columns = [(f.name, hive_type(f.type)) for f in result.schema]
    data_uri = f"{folder(location)}data/" if iceberg else location
    key = _put_parquet(ctx, data_uri, _conformed(result, columns))
    try:
        glue.create_table(
            DatabaseName=database, TableInput=_glue_input(name, location, columns, iceberg)
        )
    except Exception:
        ctx.s3().delete_object(Bucket=split(location)[0], Key=key)
        raise
    return Outcome("CREATE_TABLE_AS_SELECT", result.num_rows, read)


def _target(ctx: Context, table: Any) -> tuple[str, str, dict[str, Any]]:
    database, name = name_of(table, ctx.database)
    existing = get_table(ctx, database, name)
    if existing is None:
        raise DdlFailed(f"Table not found: {database}.{name}")
    if existing.get("TableType") == "VIRTUAL_VIEW":
        raise DdlFailed(f"{database}.{name} is a view")
    return database, name, existing


def _columns(table: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["Name"], c["Type"]) for c in table.get("StorageDescriptor", {}).get("Columns", [])]


def _data_uri(table: dict[str, Any]) -> str:
    location = folder(str(table.get("StorageDescriptor", {}).get("Location", "")))
    return f"{location}data/" if is_iceberg(table) else location


def insert_into(tree: Any, ctx: Context) -> Outcome:
    from sqlglot import exp

    schema = tree.this
    table_ref = schema.this if isinstance(schema, exp.Schema) else schema
    _, _, existing = _target(ctx, table_ref)
    columns = _columns(existing)
    names = (
        [c.name for c in schema.expressions]
        if isinstance(schema, exp.Schema)
        else [n for n, _ in columns]
    )
    result, read = _select(ctx, tree.expression)
    if result.num_columns != len(names):
        raise DdlFailed(
            f"Insert query has {result.num_columns} columns, the target takes {len(names)}"
        )
    _put_parquet(ctx, _data_uri(existing), _conformed(result.rename_columns(names), columns))
    return Outcome("INSERT", result.num_rows, read)


def merge_into(tree: Any, ctx: Context) -> Outcome:
    """MERGE into an Iceberg table: run on a copy of its rows, then its data files replaced."""
    import duckdb

    from lakelab.lakefs import ByteCounter
    from lakelab.sql import QueryFailed, sandboxed
    from lakelab.sql_athena import adapt

    database, name, existing = _target(ctx, tree.this)
    if not is_iceberg(existing):
        raise DdlFailed("MERGE INTO is supported only for Iceberg tables")
    old = keys_under(ctx, _data_uri(existing))
    counter = ByteCounter()
    con = sandboxed(ctx.profile, counter)
    try:
        con.execute(f'CREATE TEMP TABLE merge_target AS SELECT * FROM "{database}"."{name}"')
        merged = tree.copy()
        alias = merged.this.args.get("alias")
        merged.this.replace(_temp_table("merge_target", alias))
        changed = con.execute(adapt(merged).sql(dialect="duckdb")).fetchall()
        rows = con.execute("SELECT * FROM merge_target").to_arrow_table()
    except duckdb.Error as exc:
        raise QueryFailed(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    _put_parquet(ctx, _data_uri(existing), _conformed(rows, _columns(existing)))
    bucket, _ = split(_data_uri(existing))
    for start in range(0, len(old), 1000):
        chunk = [{"Key": k} for k in old[start : start + 1000]]
        ctx.s3().delete_objects(Bucket=bucket, Delete={"Objects": chunk})
    count = int(changed[0][0]) if changed and changed[0] else 0
    return Outcome("MERGE", count, counter.bytes_read)


def _temp_table(name: str, alias: Any) -> Any:
    from sqlglot import exp

    table = exp.to_table(name)
    if alias is not None:
        table.set("alias", alias)
    return table
