"""`lakelab sql`: Athena- or Synapse-serverless-style queries over a learner's lake, answered
by DuckDB.

Tables come from the learner's catalog (Glue on the AWS twin, the serverless SQL catalog on
the Azure twin), so `select * from demo_alice_gold.daily_sales` means the same on both. Data
is read straight from the learner's buckets or containers with their own credentials, and
every byte read is counted: that is what both services bill (prices and the 10 MB per-query
minimum both apply come from pricing/catalog.yaml, through lakelab.cost.scan).

The learner writes the cloud's own dialect (`CloudTarget.sql_dialect`: Athena's Trino SQL on
AWS, T-SQL on Azure); sqlglot translates it to DuckDB's, so a query that runs on the twin runs
on the cloud.

The learner's SQL reaches only what their credentials reach, as on the cloud:

- only queries run (SELECT, WITH, VALUES, set operations): `COPY`, `ATTACH`, `INSTALL`,
  `LOAD`, `SET`, `PRAGMA`, DDL and DML are refused, by sqlglot's parse in the cloud's dialect
  and again by DuckDB's own parser (`QueryRefused`);
- the DuckDB connection is sandboxed by DuckDB's own settings before any SQL runs: external
  access off except `allowed_directories` (the learner's own buckets or containers, read
  through a filesystem signed with their keys), no temp directory, no extension autoload or
  autoinstall, no persistent secrets, then `lock_configuration`, so no statement can undo it.
  A local path (`/etc/passwd`, the state folder, another learner's mirror) or another
  learner's bucket is refused by DuckDB with a Permission Error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from lakelab import sql_athena
from lakelab.catalog import TableSpec, scan_expression
from lakelab.clouds import cloud_for
from lakelab.cost import scan
from lakelab.errors import UserError
from lakelab.lakefs import ByteCounter
from lakelab.profile import LearnerProfile

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

T = TypeVar("T")

# Set when the connection opens; the rest are set once the learner's filesystem is registered
# (DuckDB only then knows `s3://` / `abfs://` as a filesystem rather than a local path).
_OPEN_CONFIG: dict[str, Any] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "allow_persistent_secrets": False,
    # No spill folder: it would be an allowed local directory.
    "temp_directory": "",
    # Cached blocks would hide reads from the count.
    "enable_external_file_cache": False,
}


# What sqlglot does not carry over with the same meaning, per dialect.
_ADAPTERS: dict[str, Callable[[Any], Any]] = {"athena": sql_athena.adapt}


class QueryRefused(UserError):
    """A statement the twin's query engine does not run for a learner (not a query)."""


class QueryFailed(UserError):
    """A query that ran and failed: DuckDB's own message, first line."""


@dataclass
class SqlResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    bytes_scanned: int
    files_read: int
    engine: str
    types: list[str] | None = None

    @property
    def billed_bytes(self) -> int:
        return scan.billed_bytes(self.engine, self.bytes_scanned)

    @property
    def cost_usd(self) -> float:
        return scan.query_usd(self.engine, self.bytes_scanned)


def _refuse(kind: str, dialect: str) -> QueryRefused:
    return QueryRefused(
        f"refused: {kind} statements do not run here; only queries (SELECT) over your own"
        f" lake do, as with your {dialect} access on the cloud"
    )


def _kind_of(sql: str) -> str:
    """The statement's first keyword, as the learner wrote it (`COPY`, `INSTALL`)."""
    words = sql.strip().split(None, 1)
    return "".join(c for c in words[0] if c.isalpha()).upper() if words else ""


def _check_duckdb_types(con: duckdb.DuckDBPyConnection, sql: str, dialect: str) -> None:
    import duckdb

    for statement in con.extract_statements(sql):
        if statement.type != duckdb.StatementType.SELECT:
            raise _refuse(statement.type.name, dialect)


def translate(sql: str | Any, dialect: str) -> str:
    """The learner's SQL in the cloud's dialect, as DuckDB SQL; non-queries are refused.
    `sql` may be a query already parsed (the SELECT of a CREATE TABLE AS)."""
    import duckdb
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    if isinstance(sql, exp.Expression):
        return _to_duckdb([sql.copy()], _kind_of(sql.sql(dialect=dialect)), dialect)
    try:
        trees = [t for t in sqlglot.parse(sql, read=dialect) if t is not None]
    except ParseError as exc:
        # A statement sqlglot does not know (`ATTACH`) is still named if DuckDB parses it.
        probe = duckdb.connect()
        try:
            _check_duckdb_types(probe, sql, dialect)
        except duckdb.Error:
            pass
        finally:
            probe.close()
        first = str(exc).splitlines()[0]
        raise UserError(f"query failed: {dialect} syntax error: {first}") from None
    if not trees:
        raise UserError("query failed: no SQL statement given")
    if len(trees) > 1:
        raise UserError("query failed: one statement per query, as on the cloud")
    return _to_duckdb(trees, _kind_of(sql), dialect)


def _to_duckdb(trees: list[Any], kind: str, dialect: str) -> str:
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    for tree in trees:
        if not isinstance(tree, exp.Query):
            raise _refuse(kind, dialect)
    adapt = _ADAPTERS.get(dialect)
    if adapt is not None:
        trees = [adapt(tree) for tree in trees]
    try:
        return ";\n".join(t.sql(dialect="duckdb") for t in trees)
    except SqlglotError as exc:
        raise UserError(f"query failed: {str(exc).splitlines()[0]}") from None


def _unreadable_view(view: str, spec: TableSpec, message: str | None = None) -> str:
    where = f"table {spec.database}.{spec.name}"
    message = message or f"{where} has no readable data at {spec.location}"
    columns = ", ".join(
        f'NULL::{"VARCHAR" if kind == "string" else kind} AS "{name}"'
        for name, kind in spec.columns or [("_", "string")]
    )
    escaped = message.replace("'", "''")
    return (
        f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM (SELECT {columns})"
        f" WHERE error('{escaped}')::BOOLEAN"
    )


def _quote_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def sandboxed(profile: LearnerProfile, counter: ByteCounter) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that reaches the learner's own lake and nothing else, with its
    catalog's tables as views (`<database>.<table>`, gold first on the search path)."""
    import duckdb

    target = cloud_for(profile.cloud)
    lake = target.lake(profile)
    con = duckdb.connect(config=dict(_OPEN_CONFIG))
    con.register_filesystem(target.filesystem(profile, counter))
    own = sorted({lake.uri(purpose) for purpose in profile.locations})
    con.execute(f"SET allowed_directories = {_quote_list(own)}")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    databases = profile.catalog_databases()
    for db in databases:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{db}"')
    specs = target.catalog_tables(profile)
    for spec in (s for s in specs if not s.view_sql):
        view = f'"{spec.database}"."{spec.name}"'
        try:
            con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {scan_expression(spec)}")
        except duckdb.Error:
            # No data files (yet, or any more) at the table's location, or a location outside
            # the learner's lake: only queries that read this table fail, saying so.
            con.execute(_unreadable_view(view, spec))
    _define_views(con, [s for s in specs if s.view_sql], target.sql_dialect)
    # Unqualified names resolve gold first, as a learner's analytics would (then dbt's marts).
    con.execute(f"SET search_path = '{','.join(profile.search_path())}'")
    # Defining the views read Parquet footers; only the query's own reads count.
    counter.reset()
    return con


def _define_views(con: duckdb.DuckDBPyConnection, views: list[TableSpec], dialect: str) -> None:
    """The catalog's views (an Athena view in Glue), each over what it names. A view may read
    another, so they are defined in passes until none more can be; a view left over (its SQL
    does not translate, or names a table that is not there) fails the queries that read it."""
    import duckdb

    pending, failures = list(views), {}
    while pending:
        left = []
        for spec in pending:
            name = f'"{spec.database}"."{spec.name}"'
            try:
                body = translate(str(spec.view_sql), dialect)
                _check_duckdb_types(con, body, dialect)
                con.execute(f"CREATE OR REPLACE VIEW {name} AS {body}")
            except (duckdb.Error, UserError) as exc:
                failures[name] = str(exc).splitlines()[0]
                left.append(spec)
        if len(left) == len(pending):
            break
        pending = left
    for spec in pending:
        message = f"view {spec.database}.{spec.name} cannot be read: "
        message += failures[f'"{spec.database}"."{spec.name}"']
        con.execute(_unreadable_view(f'"{spec.database}"."{spec.name}"', spec, message))


def _execute(
    profile: LearnerProfile, sql: str | Any, fetch: Callable[[Any], T]
) -> tuple[T, int, int]:
    """`fetch(cursor)` of the learner's query, with the bytes and files it read."""
    import duckdb

    target = cloud_for(profile.cloud)
    duck_sql = translate(sql, target.sql_dialect)
    counter = ByteCounter()
    con = sandboxed(profile, counter)
    try:
        _check_duckdb_types(con, duck_sql, target.sql_dialect)
        fetched = fetch(con.execute(duck_sql))
    except duckdb.Error as exc:
        raise QueryFailed(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    return fetched, counter.bytes_read, len(counter.files)


def query(profile: LearnerProfile, sql: str) -> SqlResult:
    """Run the learner's SQL (in their cloud's dialect) over their own lake."""

    def fetch(cursor: Any) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
        description = cursor.description or []
        return [d[0] for d in description], [str(d[1]) for d in description], cursor.fetchall()

    (columns, types, rows), read, files = _execute(profile, sql, fetch)
    return SqlResult(
        columns=columns,
        rows=rows,
        bytes_scanned=read,
        files_read=files,
        engine=cloud_for(profile.cloud).query_engine,
        types=types,
    )


def query_arrow(profile: LearnerProfile, sql: str | Any) -> tuple[pa.Table, int]:
    """The learner's query's result as an Arrow table (what a CREATE TABLE AS writes), and the
    bytes it read."""
    table, read, _ = _execute(profile, sql, lambda cursor: cursor.to_arrow_table())
    return table, read
