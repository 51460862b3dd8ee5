"""The twin's Athena runs the learner's SQL.

moto records query executions but runs nothing: every query "succeeds" with no rows. Here the
twin's AWS server hands each `StartQueryExecution` that moto accepted (IAM checked against the
workgroup, `localcloud.aws.authz`) to the same engine as `lakelab sql`: the learner's
Athena (Trino) SQL translated by sqlglot, run by a sandboxed DuckDB over the learner's own
lake and catalog with the learner's own keys (so it reaches what their policy reaches and
nothing else). Then, as Athena does:

- the execution is QUEUED, RUNNING, then SUCCEEDED or FAILED (`GetQueryExecution`), with the
  failure's reason, the bytes scanned, and the result file's location;
- the result is written as CSV (every value quoted, a header row) to the workgroup's result
  location, `<OutputLocation><QueryExecutionId>.csv`, with the learner's keys;
- `GetQueryResults` pages the rows (a header row first, at most 1000 rows a page) with column
  metadata;
- the workgroup's per-query scan cutoff cancels a query that read more.

DDL and DML (`CREATE TABLE AS`, `CREATE VIEW`, `DROP`, `ALTER TABLE`, `INSERT`, Iceberg `MERGE`)
run in `localcloud.aws.athena_ddl` with the learner's keys; `GetQueryExecution` then reports the
`SubstatementType` and `GetQueryResults` the rows written (`UpdateCount`), no header row.

The query runs in a thread after `StartQueryExecution` has answered, because it reads the lake
through this same server. Not emulated: query history across a restart of the twin (the
results stay in the bucket; `GetQueryResults` of an older execution answers as moto does).
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from lakelab.profile import LearnerProfile

TARGET_PREFIX: Final = "AmazonAthena."
PAGE_MAX: Final = 1000
CUTOFF_REASON: Final = "Query cancelled! : Bytes scanned limit was exceeded"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/")
_TYPES: Final = {
    "VARCHAR": "varchar",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "TINYINT": "tinyint",
    "DOUBLE": "double",
    "FLOAT": "float",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "HUGEINT": "decimal",
}


def athena_type(duckdb_type: str) -> str:
    """The type name Athena's ColumnInfo gives for a DuckDB result column."""
    upper = duckdb_type.upper()
    if upper.startswith("DECIMAL"):
        return "decimal"
    if upper.startswith("TIMESTAMP"):
        return "timestamp"
    return _TYPES.get(upper, "varchar")


def text(value: Any) -> str | None:
    """A value as Athena prints it (CSV and `VarCharValue`); None is NULL."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if isinstance(value, date | Decimal):
        return str(value)
    return str(value)


def result_csv(columns: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else text(v) for v in row])
    return out.getvalue().encode()


@dataclass
class Execution:
    """One query the engine runs: its state as `GetQueryExecution` reports it."""

    query_id: str
    state: str = "QUEUED"
    reason: str | None = None
    bytes_scanned: int = 0
    output: str | None = None
    columns: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    # DDL and DML (`localcloud.aws.athena_ddl`): what ran, and the rows it wrote.
    substatement: str | None = None
    update_count: int = 0


class AthenaEngine:
    """Runs the queries moto accepted and answers for them afterwards."""

    def __init__(self, state_file: Path) -> None:
        self.state_file = state_file
        self.executions: dict[str, Execution] = {}
        self._lock = threading.Lock()

    # --- which requests -----------------------------------------------------------------
    @staticmethod
    def action(headers: dict[str, str]) -> str | None:
        target = headers.get("X-Amz-Target", "")
        return target.removeprefix(TARGET_PREFIX) if target.startswith(TARGET_PREFIX) else None

    def after(
        self,
        action: str,
        headers: dict[str, str],
        body: bytes,
        status: str,
        out: bytes,
        endpoint: str,
    ) -> tuple[str, bytes]:
        """moto's answer (status, body) to an Athena call, as the twin gives it."""
        if not status.startswith("2"):
            return status, out
        request = json.loads(body or b"{}")
        if action == "StartQueryExecution":
            self._start(request, json.loads(out)["QueryExecutionId"], headers, endpoint)
            return status, out
        execution = self.executions.get(str(request.get("QueryExecutionId")))
        if execution is None:
            return status, out
        if action == "GetQueryExecution":
            return status, json.dumps(self._described(json.loads(out), execution)).encode()
        if action == "GetQueryResults":
            if execution.state != "SUCCEEDED":
                message = execution.reason or (
                    f"Query has not yet finished. Current state: {execution.state}"
                )
                error = {"__type": "InvalidRequestException", "Message": message}
                return "400 BAD REQUEST", json.dumps(error).encode()
            return status, json.dumps(self._results(execution, request)).encode()
        return status, out

    # --- running ------------------------------------------------------------------------
    def _learner(self, key_id: str) -> LearnerProfile | None:
        from localcloud.state import TwinState

        try:
            state = TwinState.model_validate_json(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        for record in state.stacks.values():
            if record.cloud == "aws" and record.access_key_id == key_id and record.profile:
                return record.profile
        return None

    def _start(
        self, request: dict[str, Any], query_id: str, headers: dict[str, str], endpoint: str
    ) -> None:
        execution = Execution(query_id)
        with self._lock:
            self.executions[query_id] = execution
        match = _CREDENTIAL.search(headers.get("Authorization", ""))
        profile = self._learner(match.group(1)) if match else None
        if profile is None:
            execution.state, execution.reason = (
                "FAILED",
                (
                    "the twin's Athena runs queries for the learners it provisioned; sign the"
                    " request with a learner's key (`lakelab local env`)"
                ),
            )
            return
        profile = profile.model_copy(update={"endpoint": endpoint})
        thread = threading.Thread(target=self._run, args=(execution, profile, request), daemon=True)
        thread.start()

    def _run(self, execution: Execution, profile: LearnerProfile, request: dict[str, Any]) -> None:
        from lakelab.clouds.aws.clients import Target
        from lakelab.errors import UserError
        from localcloud.aws import athena_ddl

        execution.state = "RUNNING"
        target = Target(profile.endpoint, profile.key_id, profile.secret, profile.region)
        sql = str(request.get("QueryString") or "")
        try:
            workgroup = str(request.get("WorkGroup") or "primary")
            config = target.client("athena").get_work_group(WorkGroup=workgroup)["WorkGroup"]
            settings = config.get("Configuration", {})
            location = settings.get("ResultConfiguration", {}).get("OutputLocation", "")
            cutoff = settings.get("BytesScannedCutoffPerQuery")
            tree = athena_ddl.parse(sql)
            if tree is not None:
                context = athena_ddl.Context(
                    profile,
                    target,
                    execution.query_id,
                    location,
                    str(request.get("QueryExecutionContext", {}).get("Database") or "default"),
                    sql,
                    None if cutoff is None else int(cutoff),
                )
                outcome = athena_ddl.run(tree, context)
                execution.substatement = outcome.substatement
                execution.update_count = outcome.update_count
                execution.bytes_scanned = outcome.bytes_scanned
                execution.state = "SUCCEEDED"
                return
            self._query(execution, target, profile, sql, location, cutoff)
        except UserError as exc:
            execution.state, execution.reason = "FAILED", str(exc)
        except Exception as exc:  # an answer the learner can read, not a hung query
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            execution.state, execution.reason = "FAILED", first

    @staticmethod
    def _query(
        execution: Execution,
        target: Any,
        profile: LearnerProfile,
        sql: str,
        location: str,
        cutoff: Any,
    ) -> None:
        from lakelab.sql import query

        result = query(profile, sql)
        execution.bytes_scanned = result.bytes_scanned
        if cutoff is not None and result.bytes_scanned > int(cutoff):
            execution.state, execution.reason = "FAILED", CUTOFF_REASON
            return
        execution.columns = result.columns
        execution.types = [athena_type(t) for t in result.types or []]
        execution.rows = result.rows
        if location:
            bucket, _, prefix = location.removeprefix("s3://").partition("/")
            key = f"{prefix.rstrip('/') + '/' if prefix else ''}{execution.query_id}.csv"
            data = result_csv(result.columns, result.rows)
            target.client("s3").put_object(Bucket=bucket, Key=key, Body=data)
            execution.output = f"s3://{bucket}/{key}"
        execution.state = "SUCCEEDED"

    # --- answering ----------------------------------------------------------------------
    @staticmethod
    def _described(doc: dict[str, Any], execution: Execution) -> dict[str, Any]:
        described = doc.get("QueryExecution") or {}
        status = dict(described.get("Status") or {})
        status["State"] = execution.state
        if execution.reason:
            status["StateChangeReason"] = execution.reason
        described["Status"] = status
        statistics = dict(described.get("Statistics") or {})
        statistics["DataScannedInBytes"] = execution.bytes_scanned
        described["Statistics"] = statistics
        if execution.substatement:
            described["SubstatementType"] = execution.substatement
        if execution.output:
            results = dict(described.get("ResultConfiguration") or {})
            results["OutputLocation"] = execution.output
            described["ResultConfiguration"] = results
        doc["QueryExecution"] = described
        return doc

    @staticmethod
    def _results(execution: Execution, request: dict[str, Any]) -> dict[str, Any]:
        # A statement that returns no columns (DDL, CTAS, INSERT) has no header row either.
        table = [tuple(execution.columns), *execution.rows] if execution.columns else []
        start = int(request.get("NextToken") or 0)
        size = min(int(request.get("MaxResults") or PAGE_MAX), PAGE_MAX)
        page = table[start : start + size]
        doc: dict[str, Any] = {
            "UpdateCount": execution.update_count,
            "ResultSet": {
                "Rows": [
                    {"Data": [{} if v is None else {"VarCharValue": text(v)} for v in row]}
                    for row in page
                ],
                "ResultSetMetadata": {
                    "ColumnInfo": [
                        {
                            "CatalogName": "hive",
                            "SchemaName": "",
                            "TableName": "",
                            "Name": name,
                            "Label": name,
                            "Type": kind,
                            "Precision": 0,
                            "Scale": 0,
                            "Nullable": "UNKNOWN",
                            "CaseSensitive": kind == "varchar",
                        }
                        for name, kind in zip(execution.columns, execution.types, strict=False)
                    ]
                },
            },
        }
        if start + size < len(table):
            doc["NextToken"] = str(start + size)
        return doc
