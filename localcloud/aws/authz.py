"""Resource-level IAM checks for Glue and Athena in the AWS emulator.

moto enforces IAM policies (once enforcement is on) for every service, but for Glue and
Athena it checks each action against the resource `*` only. A least-privilege policy names
its resources (`...:database/demo_alice_bronze`), so under plain moto a learner would be
refused even their own catalog. This module, loaded by the twin's AWS server only, teaches
moto the resources each call touches, following AWS's own rules:

- Glue database calls need the catalog and the database; table and partition calls need the
  catalog, the database and the table; `GetTables` needs `table/<db>/*`; job, crawler,
  workflow and trigger calls need that job, crawler, workflow or trigger.
- `GetDatabases` needs the catalog, and returns only the databases the caller may read
  (as AWS does for principals with database-level grants).
- Athena calls need the workgroup they run in (named, or found from the query id).

Anything not listed is checked against `*`, which only an administrator's policy allows.

S3 copies (`CopyObject`, `UploadPartCopy`) are checked on their source too: moto checks only
the destination, so a learner could otherwise copy another learner's object into their own
bucket. The caller needs `s3:GetObject` (or `s3:GetObjectVersion`) on the source, as in AWS.

S3 `DeleteObjects` is also fixed: moto checks `s3:DeleteObject` against the bucket's ARN,
which a policy granting it on `<bucket>/*` (as AWS expects) does not match. Here each object
is checked as AWS does; if any is refused, the whole request is (a request deletes in one
bucket, where a learner may delete everything or nothing).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from moto import settings
from moto.athena.models import athena_backends
from moto.athena.responses import AthenaResponse
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError, JsonRESTError
from moto.core.responses import ActionResult
from moto.glue.responses import GlueResponse
from moto.iam.access_control import IAMRequest
from moto.s3.exceptions import BucketAccessDeniedError, S3AccessDeniedError
from moto.s3.responses import S3Response
from moto.utilities.utils import get_partition

from localcloud.aws.journal import deleted_keys

_DATABASE_ACTIONS = {"GetDatabase", "UpdateDatabase", "DeleteDatabase"}
_TABLE_ACTIONS = {
    "GetTable",
    "UpdateTable",
    "DeleteTable",
    "GetTableVersions",
    "GetTableVersion",
    "DeleteTableVersion",
    "BatchDeleteTableVersion",
}
_PARTITION_ACTIONS = {
    "GetPartition",
    "GetPartitions",
    "CreatePartition",
    "BatchCreatePartition",
    "UpdatePartition",
    "BatchUpdatePartition",
    "DeletePartition",
    "BatchDeletePartition",
    "BatchGetPartition",
}
_JOB_ACTIONS = {
    "StartJobRun",
    "GetJob",
    "GetJobRun",
    "GetJobRuns",
    "UpdateJob",
    "DeleteJob",
    "BatchStopJobRun",
}
_NAMED = {
    "GetCrawler": "crawler",
    "StartCrawler": "crawler",
    "StopCrawler": "crawler",
    "CreateCrawler": "crawler",
    "DeleteCrawler": "crawler",
    "UpdateCrawler": "crawler",
    "GetWorkflow": "workflow",
    "StartWorkflowRun": "workflow",
    "GetWorkflowRun": "workflow",
    "GetWorkflowRuns": "workflow",
    "CreateWorkflow": "workflow",
    "DeleteWorkflow": "workflow",
    "GetTrigger": "trigger",
    "CreateTrigger": "trigger",
    "DeleteTrigger": "trigger",
    "StartTrigger": "trigger",
    "StopTrigger": "trigger",
    "CreateJob": "job",
}


def _params(response: Any) -> dict[str, Any]:
    try:
        value = json.loads(response.body or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def glue_resources(response: Any) -> list[str]:
    """The ARNs a Glue call touches, each of which the caller must be allowed."""
    action: str = response._get_action()
    p = _params(response)
    base = f"arn:{get_partition(response.region)}:glue:{response.region}:{response.current_account}"
    catalog = f"{base}:catalog"

    def database(name: object) -> str:
        return f"{base}:database/{name}"

    def table(db: object, name: object) -> str:
        return f"{base}:table/{db}/{name}"

    if action == "GetDatabases":
        return [catalog]
    if action == "CreateDatabase":
        return [catalog, database(p.get("DatabaseInput", {}).get("Name"))]
    if action in _DATABASE_ACTIONS:
        return [catalog, database(p.get("Name"))]
    db = p.get("DatabaseName")
    if action == "GetTables":
        return [catalog, database(db), table(db, "*")]
    if action in ("CreateTable",):
        return [catalog, database(db), table(db, p.get("TableInput", {}).get("Name"))]
    if action == "UpdateTable":
        return [catalog, database(db), table(db, p.get("TableInput", {}).get("Name"))]
    if action in _TABLE_ACTIONS:
        return [catalog, database(db), table(db, p.get("Name") or p.get("TableName"))]
    if action == "BatchDeleteTable":
        return [catalog, database(db)] + [table(db, t) for t in p.get("TablesToDelete", [])]
    if action in _PARTITION_ACTIONS:
        return [catalog, database(db), table(db, p.get("TableName"))]
    if action in _JOB_ACTIONS:
        return [f"{base}:job/{p.get('JobName')}"]
    if action in _NAMED:
        return [f"{base}:{_NAMED[action]}/{p.get('Name')}"]
    if action in ("GetTags", "TagResource", "UntagResource"):
        return [str(p.get("ResourceArn"))]
    return ["*"]


def athena_resources(response: Any) -> list[str]:
    """The workgroup ARN an Athena call runs in."""
    p = _params(response)
    action: str = response._get_action()
    region, account = response.region, response.current_account
    if action in ("TagResource", "UntagResource", "ListTagsForResource"):
        return [str(p.get("ResourceARN"))]
    backend = athena_backends[account][region]
    workgroup: str | None = p.get("WorkGroup")
    if action == "CreateWorkGroup":
        workgroup = p.get("Name")
    elif workgroup is None and "QueryExecutionId" in p:
        execution = backend.executions.get(p["QueryExecutionId"])
        workgroup = execution.workgroup.name if execution and execution.workgroup else "primary"
    elif workgroup is None and "NamedQueryId" in p:
        named = backend.named_queries.get(p["NamedQueryId"])
        group = getattr(named, "workgroup", None)
        workgroup = str(getattr(group, "name", group) or "primary")
    elif workgroup is None and action in (
        "StartQueryExecution",
        "ListQueryExecutions",
        "CreateNamedQuery",
        "ListNamedQueries",
    ):
        workgroup = "primary"
    if workgroup is None:
        return ["*"]
    return [f"arn:{get_partition(region)}:athena:{region}:{account}:workgroup/{workgroup}"]


def _authorize_each(resources: Callable[[Any], list[str]]) -> Callable[..., None]:
    def authorize(self: Any, resource: str = "*") -> None:
        if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
            ActionAuthenticatorMixin.request_count += 1
            return
        for arn in resources(self):
            try:
                self._authenticate_and_authorize_action(IAMRequest, arn)
            except AccessDeniedError as exc:
                # JSON-protocol services answer with a JSON error, as AWS does.
                raise JsonRESTError(
                    "AccessDeniedException", f"{exc.message} on resource: {arn}"
                ) from None

    return authorize


def _caller(response: Any) -> IAMRequest:
    return IAMRequest(
        account_id=response.current_account,
        method=response.method,
        path=response.raw_path,
        data=response.data,
        body=response.raw_body,
        headers=response.headers,
        action=response._get_action(),
    )


def _may(request: IAMRequest, arn: str) -> bool:
    try:
        request.check_action_permitted(arn)
    except Exception:
        return False
    return True


def enforcing() -> bool:
    return bool(ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT)


def install() -> None:
    """Patch moto's Glue and Athena handlers in this process (the twin's AWS server)."""
    glue_auth = _authorize_each(glue_resources)
    athena_auth = _authorize_each(athena_resources)
    GlueResponse._authenticate_and_authorize_normal_action = glue_auth  # type: ignore[method-assign]
    AthenaResponse._authenticate_and_authorize_normal_action = athena_auth  # type: ignore[method-assign]

    list_databases = GlueResponse.get_databases

    def get_databases(self: GlueResponse) -> ActionResult:
        result = list_databases(self)
        if not enforcing():
            return result
        caller = _caller(self)
        base = f"arn:{get_partition(self.region)}:glue:{self.region}:{self.current_account}"
        payload = result.result
        assert isinstance(payload, dict)
        visible = [
            d for d in payload["DatabaseList"] if _may(caller, f"{base}:database/{d['Name']}")
        ]
        return ActionResult({**payload, "DatabaseList": visible})

    GlueResponse.get_databases = get_databases  # type: ignore[method-assign]

    bucket_post = S3Response._bucket_response_post

    def bucket_response_post(self: S3Response, request: Any, bucket_name: str) -> Any:
        self.path = self._get_path(request)
        if not (enforcing() and self.is_delete_keys() and request.headers.get("Content-Length")):
            return bucket_post(self, request, bucket_name)
        self.data["Action"] = "DeleteObject"
        for key, _ in deleted_keys(self.body) or []:
            try:
                self._authenticate_and_authorize_s3_action(bucket_name=bucket_name, key_name=key)
            except (BucketAccessDeniedError, S3AccessDeniedError):
                return self._bucket_response_delete_keys(bucket_name, authenticated=False)
        return self._bucket_response_delete_keys(bucket_name)

    S3Response._bucket_response_post = bucket_response_post  # type: ignore[method-assign]

    key_put = S3Response._key_response_put

    def key_response_put(self: S3Response, query: dict[str, Any], key_name: str) -> Any:
        source = self.headers.get("x-amz-copy-source")
        if source and enforcing():
            text = source.decode() if isinstance(source, bytes) else str(source)
            parsed = urlparse(text)
            bucket, _, key = unquote(parsed.path).lstrip("/").partition("/")
            version = parse_qs(parsed.query).get("versionId")
            self.data["Action"] = "GetObjectVersion" if version else "GetObject"
            self._authenticate_and_authorize_s3_action(bucket_name=bucket, key_name=key)
        return key_put(self, query, key_name)

    S3Response._key_response_put = key_response_put  # type: ignore[method-assign]
