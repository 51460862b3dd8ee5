"""A deployed Azure learner stack as `lakelab verify` drives it: ADLS Gen2, the Data Factory
pipeline, Synapse serverless SQL.

Azure learners sign in with their own Entra account, which verify cannot do; it acts as the
identity it runs under (`DefaultAzureCredential`: `az login`, or a workflow's federated
credential), which needs Storage Blob Data Contributor on the lab's account, Data Factory
Contributor on its factory and a Synapse SQL login on its workspace. The receipt says so.

Docs: Pipelines - Create Run and Pipeline Runs - Get (api-version 2018-06-01; run status
Queued, InProgress, Succeeded, Failed, Canceling, Cancelled)
https://learn.microsoft.com/rest/api/datafactory/pipelines/create-run and
https://learn.microsoft.com/rest/api/datafactory/pipeline-runs/get; serverless SQL with an
Entra token through ODBC Driver 18 (`SQL_COPT_SS_ACCESS_TOKEN`, 1256)
https://learn.microsoft.com/sql/connect/odbc/using-azure-active-directory.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Mapping, Sequence
from typing import Any, Final

from lakelab.clouds.acceptance import AcceptanceError, PipelineState, QueryRows

MANAGEMENT: Final = "https://management.azure.com"
ADF_API: Final = "2018-06-01"
# https://learn.microsoft.com/rest/api/datafactory/pipeline-runs/get#pipelinerun
RUN_DONE: Final = frozenset({"Succeeded", "Failed", "Cancelled"})
SQL_SCOPE: Final = "https://database.windows.net/.default"
ODBC_DRIVER: Final = "ODBC Driver 18 for SQL Server"
SQL_COPT_SS_ACCESS_TOKEN: Final = 1256


def pipeline_url(subscription: str, group: str, factory: str, pipeline: str) -> str:
    return (
        f"{MANAGEMENT}/subscriptions/{subscription}/resourceGroups/{group}"
        f"/providers/Microsoft.DataFactory/factories/{factory}/pipelines/{pipeline}"
        f"/createRun?api-version={ADF_API}"
    )


def run_url(subscription: str, group: str, factory: str, run_id: str) -> str:
    return (
        f"{MANAGEMENT}/subscriptions/{subscription}/resourceGroups/{group}"
        f"/providers/Microsoft.DataFactory/factories/{factory}/pipelineruns/{run_id}"
        f"?api-version={ADF_API}"
    )


def run_state(run: Mapping[str, Any]) -> PipelineState:
    """A Pipeline Runs - Get body as a poll result."""
    state = str(run.get("status", "Unknown"))
    return PipelineState(
        state, state in RUN_DONE, state == "Succeeded", str(run.get("message") or "")
    )


def token_struct(token: str) -> bytes:
    """An access token as the ODBC driver takes it: length-prefixed UTF-16-LE."""
    raw = token.encode("utf-16-le")
    return struct.pack(f"<I{len(raw)}s", len(raw), raw)


class AzureAcceptance:
    def __init__(
        self, outputs: Mapping[str, Any], factory: str, subscription: str | None = None
    ) -> None:
        self.outputs = outputs
        self.identity = outputs.get("identity") or {}
        self.group = str(self.identity["resource_group"])
        self.account = str(self.identity["storage_account"])
        self.factory = factory
        self.pipeline_name = str(outputs["jobs"]["pipeline"])
        self.subscription = subscription or os.environ.get("AZURE_SUBSCRIPTION_ID", "")
        if not self.subscription:
            raise AcceptanceError(
                "set AZURE_SUBSCRIPTION_ID to the subscription the stack is deployed in"
            )
        self._credential: Any = None

    @property
    def actor(self) -> str:
        return "the identity verify runs as (Azure learners sign in with Entra; verify cannot)"

    def credential(self) -> Any:
        if self._credential is None:
            from azure.identity import DefaultAzureCredential

            self._credential = DefaultAzureCredential()
        return self._credential

    def _rest(self, method: str, url: str) -> dict[str, Any]:
        import requests

        token = self.credential().get_token(f"{MANAGEMENT}/.default").token
        response = requests.request(
            method, url, headers={"Authorization": f"Bearer {token}"}, json={}, timeout=60
        )
        if response.status_code >= 400:
            raise AcceptanceError(f"{method} {url.split('?')[0]}: HTTP {response.status_code}")
        body: dict[str, Any] = response.json()
        return body

    def land(self, files: Mapping[str, bytes]) -> int:
        from azure.storage.blob import BlobServiceClient

        url = f"https://{self.account}.blob.core.windows.net"
        service = BlobServiceClient(url, credential=self.credential())
        container = service.get_container_client(str(self.outputs["lake"]["landing"]["name"]))
        for key, data in files.items():
            container.upload_blob(key, data, overwrite=True)
        return sum(len(d) for d in files.values())

    def start_pipeline(self) -> str:
        url = pipeline_url(self.subscription, self.group, self.factory, self.pipeline_name)
        return str(self._rest("POST", url)["runId"])

    def pipeline_state(self, run_id: str) -> PipelineState:
        return run_state(
            self._rest("GET", run_url(self.subscription, self.group, self.factory, run_id))
        )

    def gold_sql(self, table: str, columns: Sequence[str]) -> str:
        return f"SELECT {', '.join(columns)} FROM [{table}]"

    def query(self, sql: str, timeout_s: float) -> QueryRows:
        try:
            import pyodbc  # type: ignore[import-not-found]
        except ImportError:
            raise AcceptanceError(
                f"querying Synapse serverless SQL needs pyodbc and the {ODBC_DRIVER}"
                " (pip install pyodbc; see docs/verify.md)"
            ) from None
        endpoint = str(self.outputs["query"]["endpoint"])
        database = str(self.outputs["catalogs"]["gold"])
        token = self.credential().get_token(SQL_SCOPE).token
        dsn = (
            f"Driver={{{ODBC_DRIVER}}};Server=tcp:{endpoint},1433;Database={database};"
            f"Encrypt=yes;Connection Timeout={int(timeout_s)}"
        )
        with pyodbc.connect(
            dsn, attrs_before={SQL_COPT_SS_ACCESS_TOKEN: token_struct(token)}
        ) as con:
            cursor = con.cursor()
            cursor.execute(sql)
            columns = [c[0] for c in cursor.description]
            rows = [[None if v is None else str(v) for v in row] for row in cursor.fetchall()]
        # Serverless SQL reports data processed per request only in its DMVs; not read here.
        return QueryRows(columns, rows, 0, "")
