"""The DDL and DML the twin's Athena runs, as Athena documents them, for the learner.

A statement that is not a query is parsed (sqlglot, Athena dialect) and carried out with the
learner's own keys against the twin's Glue and S3, so the learner policy decides what it may
touch, as on AWS (another learner's database or bucket is refused by IAM):

- `CREATE TABLE ... WITH (...) AS SELECT` and `INSERT INTO`: `localcloud.aws.athena_ctas`;
- `CREATE [OR REPLACE] VIEW`: a Glue table of type `VIRTUAL_VIEW` with the view's SQL in
  Athena's Presto view text (`lakelab.clouds.aws.views`), its columns from the query's result;
- `DROP TABLE|VIEW [IF EXISTS]`: the Glue table removed; an Iceberg table's data too, a Hive
  (external) table's data is kept, as Athena does;
- `ALTER TABLE ... RENAME TO`: Glue has no rename, so the table is created under its new name
  (same location) and the old entry deleted, as Athena does for Iceberg tables;
- `ALTER TABLE ... SET TBLPROPERTIES`: the Glue table's parameters updated.

Everything else that is not a query is refused, as `lakelab sql` refuses it.

Athena DDL reference: https://docs.aws.amazon.com/athena/latest/ug/ddl-reference.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from lakelab.clouds.aws.clients import Target, is_missing
from lakelab.clouds.aws.views import DEFAULT_CATALOG, view_input
from lakelab.errors import UserError
from lakelab.profile import LearnerProfile
from lakelab.sql import QueryRefused

# The parts of a GetTable answer that CreateTable's TableInput takes.
_INPUT_KEYS: Final = (
    "Name",
    "Description",
    "Owner",
    "Retention",
    "StorageDescriptor",
    "PartitionKeys",
    "TableType",
    "Parameters",
    "ViewOriginalText",
    "ViewExpandedText",
)


class DdlFailed(UserError):
    """A statement Athena would have failed, with Athena's kind of reason."""


@dataclass
class Context:
    """What a statement runs with: the learner, their clients, the query and workgroup."""

    profile: LearnerProfile
    target: Target
    query_id: str
    output_location: str
    database: str
    sql: str = ""
    cutoff: int | None = None

    def glue(self) -> Any:
        return self.target.client("glue")

    def s3(self) -> Any:
        return self.target.client("s3")


@dataclass
class Outcome:
    """What `GetQueryExecution`/`GetQueryResults` say of a statement that ran."""

    substatement: str
    update_count: int = 0
    bytes_scanned: int = 0


def parse(sql: str) -> Any | None:
    """The statement's tree if it is DDL or DML; None for a query (the query engine runs it)."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        trees = [t for t in sqlglot.parse(sql, read="athena") if t is not None]
    except ParseError:
        return None  # the query engine says what is wrong
    if len(trees) != 1 or isinstance(trees[0], exp.Query):
        return None
    return trees[0]


def name_of(table: Any, default_database: str) -> tuple[str, str]:
    """(database, table) of a table reference; only the default catalog is there."""
    catalog = table.catalog
    if catalog and catalog.lower() != DEFAULT_CATALOG:
        raise DdlFailed(
            f"catalog {catalog} does not exist; the twin's Athena has one catalog,"
            f" {DEFAULT_CATALOG}"
        )
    return (table.db or default_database).lower(), table.name.lower()


def run(tree: Any, ctx: Context) -> Outcome:
    """Carry out one DDL or DML statement for the learner."""
    from sqlglot import exp

    from localcloud.aws import athena_ctas

    if isinstance(tree, exp.Create) and tree.kind == "TABLE" and tree.expression is not None:
        return athena_ctas.create_table_as(tree, ctx)
    if isinstance(tree, exp.Insert):
        return athena_ctas.insert_into(tree, ctx)
    if isinstance(tree, exp.Merge):
        return athena_ctas.merge_into(tree, ctx)
    if isinstance(tree, exp.Create) and tree.kind == "VIEW":
        return create_view(tree, ctx)
    if isinstance(tree, exp.Drop) and tree.kind in ("TABLE", "VIEW"):
        return drop(tree, ctx)
    if isinstance(tree, exp.Alter) and tree.kind == "TABLE":
        return alter(tree, ctx)
    kind = ctx.sql.strip().split(None, 1)[0].upper() if ctx.sql.strip() else "this"
    raise QueryRefused(f"refused: {kind} statements are not emulated by the twin's Athena")


def get_table(ctx: Context, database: str, name: str) -> dict[str, Any] | None:
    try:
        return dict(ctx.glue().get_table(DatabaseName=database, Name=name)["Table"])
    except Exception as exc:
        if is_missing(exc):
            return None
        raise


def table_input(table: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A GetTable answer as a TableInput, with `changes`."""
    return {**{k: table[k] for k in _INPUT_KEYS if k in table}, **changes}


def is_iceberg(table: dict[str, Any]) -> bool:
    return str(table.get("Parameters", {}).get("table_type", "")).upper() == "ICEBERG"


_VIEW_QUERY: Final = re.compile(
    r"^\s*create\s+(?:or\s+replace\s+)?view\s+\S+\s+as\s+(.*?)\s*;?\s*$", re.I | re.S
)


def original_query(sql: str) -> str | None:
    """The query of a CREATE VIEW as the learner wrote it (Athena stores it so)."""
    match = _VIEW_QUERY.match(sql)
    return match.group(1) if match else None


def create_view(tree: Any, ctx: Context) -> Outcome:
    from lakelab.catalog import hive_type
    from lakelab.sql import query_arrow

    database, name = name_of(tree.this, ctx.database)
    sql = original_query(ctx.sql) or tree.expression.sql(dialect="athena")
    existing = get_table(ctx, database, name)
    if existing is not None and not tree.args.get("replace"):
        raise DdlFailed(f"View already exists: {database}.{name}")
    if existing is not None and existing.get("TableType") != "VIRTUAL_VIEW":
        raise DdlFailed(f"{database}.{name} is a table, not a view")
    # The view's columns are those of its query; reading none of its rows.
    result, _ = query_arrow(ctx.profile, tree.expression.limit(0))
    columns = [(f.name, hive_type(f.type)) for f in result.schema]
    view = view_input(name, database, sql, columns)
    glue = ctx.glue()
    if existing is None:
        glue.create_table(DatabaseName=database, TableInput=view)
    else:
        glue.update_table(DatabaseName=database, TableInput=view)
    return Outcome("CREATE_VIEW")


def drop(tree: Any, ctx: Context) -> Outcome:
    from localcloud.aws.athena_ctas import delete_prefix

    kind = tree.kind
    tables = tree.args.get("tables") or [tree.this]
    for table in tables:
        database, name = name_of(table, ctx.database)
        existing = get_table(ctx, database, name)
        if existing is None:
            if tree.args.get("exists"):
                continue
            raise DdlFailed(f"{kind.capitalize()} not found: {database}.{name}")
        is_view = existing.get("TableType") == "VIRTUAL_VIEW"
        if is_view != (kind == "VIEW"):
            raise DdlFailed(f"{database}.{name} is {'a view' if is_view else 'a table'}")
        if is_iceberg(existing):
            delete_prefix(ctx, str(existing.get("StorageDescriptor", {}).get("Location", "")))
        ctx.glue().delete_table(DatabaseName=database, Name=name)
    return Outcome(f"DROP_{kind}")


def alter(tree: Any, ctx: Context) -> Outcome:
    from sqlglot import exp

    database, name = name_of(tree.this, ctx.database)
    existing = get_table(ctx, database, name)
    if existing is None:
        raise DdlFailed(f"Table not found: {database}.{name}")
    (action,) = tree.args.get("actions") or [None]
    glue = ctx.glue()
    if isinstance(action, exp.AlterRename):
        new_db, new_name = name_of(action.this, database)
        if new_db != database:
            raise DdlFailed("ALTER TABLE RENAME keeps a table in its database")
        if get_table(ctx, new_db, new_name) is not None:
            raise DdlFailed(f"Table already exists: {new_db}.{new_name}")
        glue.create_table(DatabaseName=new_db, TableInput=table_input(existing, Name=new_name))
        glue.delete_table(DatabaseName=database, Name=name)
        return Outcome("ALTER_TABLE_RENAME")
    if isinstance(action, exp.AlterSet) and action.expressions:
        properties = {p.this.name: p.text("value") for p in action.expressions[0].expressions}
        parameters = {**existing.get("Parameters", {}), **properties}
        changed = table_input(existing, Parameters=parameters)
        glue.update_table(DatabaseName=database, TableInput=changed)
        return Outcome("ALTER_TABLE_SET_TBLPROPERTIES")
    raise QueryRefused("refused: this ALTER TABLE is not emulated by the twin's Athena")
