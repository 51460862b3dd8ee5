"""For the twin's Athena tests: a small `region, revenue` Parquet table put in a learner's lake
and registered in their Glue catalog, and a query run to its end through the Athena API."""

from __future__ import annotations

import io
import time
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from lakelab.catalog import TableSpec
from lakelab.clouds import cloud_for, lake_of
from lakelab.profile import LearnerProfile


def put_sales(
    profile: LearnerProfile, layer: str, name: str, rows: list[tuple[str | None, str]]
) -> None:
    """`rows` of (region, revenue) as `<layer>.<name>`, one file under `<name>/`."""
    table = pa.table(
        {
            "region": [region for region, _ in rows],
            "revenue": pa.array([Decimal(r) for _, r in rows], pa.decimal128(10, 2)),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    lake = lake_of(profile)
    lake.put(layer, f"{name}/part-0.parquet", buffer.getvalue())
    spec = TableSpec(
        database=profile.database(layer),
        name=name,
        location=lake.uri(layer, f"{name}/"),
        columns=[("region", "string"), ("revenue", "decimal(10,2)")],
    )
    cloud_for("aws").register_tables(profile, [spec])


def run_query(athena: Any, sql: str, workgroup: str) -> dict[str, Any]:
    """StartQueryExecution, then GetQueryExecution until the query has ended (60 s at most)."""
    query_id = athena.start_query_execution(QueryString=sql, WorkGroup=workgroup)[
        "QueryExecutionId"
    ]
    deadline = time.monotonic() + 60
    while True:
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return dict(execution)
        assert time.monotonic() < deadline, execution
        time.sleep(0.1)
