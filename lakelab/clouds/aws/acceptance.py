"""A deployed AWS learner stack as `lakelab verify` drives it: S3, the Glue workflow, Athena.

Everything goes through boto3 clients of `lakelab.clouds.aws.clients`, with the learner's own
access key when the stack exports one (`identity.access_key_id`), so a missing permission in
the learner's policy fails verify as it would fail the learner; without one, the deployer's
own credentials (boto3's usual chain), and the receipt says so. Against the twin the same
calls reach moto: S3 and starting a workflow run are emulated there; moto never executes a
workflow (its runs stay RUNNING) and, unless the twin's Athena executes SQL, returns no rows.

Docs: StartWorkflowRun / GetWorkflowRun
https://docs.aws.amazon.com/glue/latest/webapi/API_StartWorkflowRun.html (run states RUNNING,
COMPLETED, STOPPING, STOPPED, ERROR; `Statistics.FailedActions`), Athena
https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatus.html (QUEUED,
RUNNING, SUCCEEDED, FAILED, CANCELLED) and GetQueryResults (the first row of the first page
is the header for SELECT queries; at most 1,000 rows a page).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

from lakelab.clouds.acceptance import AcceptanceError, PipelineState, QueryRows
from lakelab.clouds.aws.clients import Target

# Glue workflow run states: https://docs.aws.amazon.com/glue/latest/webapi/API_WorkflowRun.html
WORKFLOW_DONE: Final = frozenset({"COMPLETED", "STOPPED", "ERROR"})
# Athena: https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatus.html
QUERY_DONE: Final = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
PAGE: Final = 1000


class AwsAcceptance:
    def __init__(self, outputs: Mapping[str, Any], region: str, endpoint: str | None = None):
        identity = outputs.get("identity") or {}
        key_id = str(identity.get("access_key_id") or "")
        secret = str(identity.get("secret_access_key") or "")
        self.outputs = outputs
        self.target = Target(endpoint, key_id, secret, region)
        self.learner = str(identity.get("name") or "learner")
        # Without a learner key the deployer's own credentials (boto3's chain) are used.
        self.as_learner = bool(key_id and secret)
        self.pipeline_name = str(outputs["jobs"]["workflow"])
        self.workgroup = str(outputs["query"]["workgroup"])

    @property
    def actor(self) -> str:
        if self.as_learner:
            return f"IAM user {self.learner} (the learner's own access key)"
        return (
            "the deploying identity: the stack exports no access key for the learner, so the"
            " learner's own permissions are not exercised"
        )

    def land(self, files: Mapping[str, bytes]) -> int:
        s3 = self.target.client("s3")
        bucket = str(self.outputs["lake"]["landing"]["name"])
        for key, data in files.items():
            s3.put_object(Bucket=bucket, Key=key, Body=data)
        return sum(len(d) for d in files.values())

    def start_pipeline(self) -> str:
        glue = self.target.client("glue")
        return str(glue.start_workflow_run(Name=self.pipeline_name)["RunId"])

    def pipeline_state(self, run_id: str) -> PipelineState:
        glue = self.target.client("glue")
        run = glue.get_workflow_run(Name=self.pipeline_name, RunId=run_id, IncludeGraph=True)["Run"]
        return workflow_state(run)

    def gold_sql(self, table: str, columns: Sequence[str]) -> str:
        database = self.outputs["catalogs"]["gold"]
        return f'SELECT {", ".join(columns)} FROM "{database}"."{table}"'

    def query(self, sql: str, timeout_s: float) -> QueryRows:
        athena = self.target.client("athena")
        query_id = athena.start_query_execution(QueryString=sql, WorkGroup=self.workgroup)[
            "QueryExecutionId"
        ]
        status = _wait_query(athena, query_id, timeout_s)
        state = status["Status"]["State"]
        if state != "SUCCEEDED":
            reason = status["Status"].get("StateChangeReason") or "no reason given"
            raise AcceptanceError(f"Athena query {query_id} ended {state}: {reason}")
        columns, rows = _all_rows(athena, query_id)
        scanned = int(status.get("Statistics", {}).get("DataScannedInBytes") or 0)
        return QueryRows(columns, rows, scanned, query_id)


def workflow_state(run: Mapping[str, Any]) -> PipelineState:
    """A GetWorkflowRun `Run` as a poll result: COMPLETED with no failed action is success."""
    state = str(run.get("Status", "UNKNOWN"))
    stats = run.get("Statistics") or {}
    failed = int(stats.get("FailedActions", 0)) + int(stats.get("TimeoutActions", 0))
    steps = {
        str(node.get("Name")): str(runs[-1].get("JobRunState"))
        for node in (run.get("Graph") or {}).get("Nodes", [])
        if (runs := (node.get("JobDetails") or {}).get("JobRuns"))
    }
    done = state in WORKFLOW_DONE
    ok = state == "COMPLETED" and failed == 0
    detail = str(run.get("ErrorMessage") or "")
    if done and not ok and not detail:
        bad = [name for name, s in steps.items() if s not in ("SUCCEEDED",)]
        detail = f"{failed} action(s) failed" + (f": {', '.join(bad)}" if bad else "")
    return PipelineState(state, done, ok, detail, steps)


def _wait_query(athena: Any, query_id: str, timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    delay = 0.5
    while True:
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        if execution["Status"]["State"] in QUERY_DONE:
            return dict(execution)
        if time.monotonic() > deadline:
            athena.stop_query_execution(QueryExecutionId=query_id)
            raise AcceptanceError(f"Athena query {query_id} still running after {timeout_s:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 5.0)


def _all_rows(athena: Any, query_id: str) -> tuple[list[str], list[list[str | None]]]:
    columns: list[str] = []
    rows: list[list[str | None]] = []
    token: str | None = None
    first = True
    while True:
        extra = {"NextToken": token} if token else {}
        page = athena.get_query_results(QueryExecutionId=query_id, MaxResults=PAGE, **extra)
        result = page["ResultSet"]
        if first:
            columns = [c["Name"] for c in result["ResultSetMetadata"]["ColumnInfo"]]
        values = [[d.get("VarCharValue") for d in r["Data"]] for r in result["Rows"]]
        # A SELECT's first page starts with the header row.
        if first and values and values[0] == columns:
            values = values[1:]
        rows += values
        first = False
        token = page.get("NextToken")
        if not token:
            return columns, rows
