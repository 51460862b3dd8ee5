"""`lakelab sql`: Athena- or Synapse-serverless-style queries over a learner's lake, answered
by DuckDB.

Tables come from the learner's catalog (Glue on the AWS twin, the serverless SQL catalog on
the Azure twin), so `select * from demo_alice_gold.daily_sales` means the same on both. Data
is read straight from the learner's buckets or containers with their own credentials, and
every byte read is counted: that is what both services bill (prices and the 10 MB per-query
minimum both apply come from pricing/catalog.yaml, through lakelab.cost.scan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lakelab.catalog import TableSpec, scan_expression
from lakelab.clouds import cloud_for
from lakelab.cost import scan
from lakelab.lakefs import ByteCounter
from lakelab.profile import LearnerProfile


@dataclass
class SqlResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    bytes_scanned: int
    files_read: int
    engine: str

    @property
    def billed_bytes(self) -> int:
        return scan.billed_bytes(self.engine, self.bytes_scanned)

    @property
    def cost_usd(self) -> float:
        return scan.query_usd(self.engine, self.bytes_scanned)


def _unreadable_view(view: str, spec: TableSpec) -> str:
    message = f"table {spec.database}.{spec.name} has no readable data at {spec.location}"
    columns = ", ".join(
        f'NULL::{"VARCHAR" if kind == "string" else kind} AS "{name}"'
        for name, kind in spec.columns or [("_", "string")]
    )
    escaped = message.replace("'", "''")
    return (
        f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM (SELECT {columns})"
        f" WHERE error('{escaped}')::BOOLEAN"
    )


def query(profile: LearnerProfile, sql: str) -> SqlResult:
    import duckdb

    target = cloud_for(profile.cloud)
    counter = ByteCounter()
    con = duckdb.connect()
    # Cached blocks would hide reads from the count.
    con.execute("SET enable_external_file_cache = false")
    con.register_filesystem(target.filesystem(profile, counter))
    databases = profile.catalog_databases()
    specs = target.catalog_tables(profile)
    for db in databases:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{db}"')
    for spec in specs:
        view = f'"{spec.database}"."{spec.name}"'
        try:
            con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {scan_expression(spec)}")
        except duckdb.Error:
            # No data files (yet, or any more) at the table's location: only queries that
            # read this table fail, with a message that says so.
            con.execute(_unreadable_view(view, spec))
    # Unqualified names resolve gold first, as a learner's analytics would.
    con.execute(f"SET search_path = '{','.join(reversed(databases))}'")
    # Defining the views read Parquet footers; only the query's own reads count.
    counter.reset()
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description or []]
    rows = cursor.fetchall()
    con.close()
    return SqlResult(
        columns=columns,
        rows=rows,
        bytes_scanned=counter.bytes_read,
        files_read=len(counter.files),
        engine=target.query_engine,
    )
