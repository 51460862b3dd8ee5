"""The learner's profile: endpoints and credentials as shell `export` lines.

`profiles/<stack>.env` is written when a stack is provisioned and printed by
`lakelab local env --stack X` (use `eval "$(lakelab local env --stack X)"`). The variables are
the ones the SDKs read on their own:

- AWS: `AWS_ENDPOINT_URL` (boto3/botocore, the AWS CLI, DuckDB's aws extension),
  `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION` / `AWS_DEFAULT_REGION`.
- Azure: `AZURE_STORAGE_CONNECTION_STRING` (adlfs/fsspec `abfs://`, the Azure CLI, and
  `BlobServiceClient.from_connection_string`), plus `AZURE_STORAGE_ACCOUNT_NAME`/`_KEY`.

`LAKELAB_*` variables name the learner's resources for the labs (buckets, containers, catalog
databases, workgroup or SQL endpoint), so lab code never hard-codes a name.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
from pathlib import Path

from lakelab.naming import CATALOG_LAYERS, LAYERS
from localcloud.azure import blob
from localcloud.state import Paths, StackRecord, TwinState


def variables(paths: Paths, state: TwinState, record: StackRecord) -> dict[str, str]:
    env: dict[str, str] = {
        "LAKELAB_STACK": record.stack,
        "LAKELAB_CLOUD": record.cloud,
        "LAKELAB_COHORT": record.cohort,
        "LAKELAB_LEARNER": record.learner,
    }
    res = record.resources
    if record.cloud == "aws":
        env |= {
            "AWS_ENDPOINT_URL": state.aws.url,
            "AWS_ACCESS_KEY_ID": record.access_key_id or "",
            "AWS_SECRET_ACCESS_KEY": record.secret,
            "AWS_REGION": record.region,
            "AWS_DEFAULT_REGION": record.region,
        }
        buckets = res.get("buckets", [])
        for purpose in (*LAYERS, "query-results", "artifacts"):
            pattern = re.compile(rf"-{re.escape(purpose)}-[0-9a-f]{{6}}$")
            match = [b for b in buckets if pattern.search(b)]
            if match:
                env[f"LAKELAB_BUCKET_{purpose.upper().replace('-', '_')}"] = match[0]
        for layer, db in zip(CATALOG_LAYERS, res.get("databases", []), strict=False):
            env[f"LAKELAB_DATABASE_{layer.upper()}"] = db
        if res.get("workgroups"):
            env["LAKELAB_WORKGROUP"] = res["workgroups"][0]
    else:
        account = record.identity
        env |= {
            "AZURE_STORAGE_ACCOUNT_NAME": account,
            "AZURE_STORAGE_ACCOUNT_KEY": record.secret,
            "AZURE_STORAGE_CONNECTION_STRING": blob.connection_string(
                state.azure.url, account, record.secret
            ),
            "AZURE_STORAGE_BLOB_ENDPOINT": f"{state.azure.url}/{account}",
        }
        for container in res.get("containers", []):
            env[f"LAKELAB_CONTAINER_{container.upper()}"] = container
        for layer, db in zip(CATALOG_LAYERS, res.get("databases", []), strict=False):
            env[f"LAKELAB_DATABASE_{layer.upper()}"] = db
        endpoints = res.get("endpoints", [])
        if endpoints:
            env["LAKELAB_SQL_ENDPOINT"] = endpoints[0]
            env["LAKELAB_SQL_DATABASE"] = str(
                paths.synapse_dir / account / f"{endpoints[0]}.duckdb"
            )
    return env


def render(paths: Paths, state: TwinState, record: StackRecord) -> str:
    lines = [
        f"# lakelab local twin: {record.stack} (learner {record.learner}, cohort {record.cohort})",
        f'# load with: eval "$(lakelab local env --stack {record.stack})"',
    ]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in variables(paths, state, record).items()]
    return "\n".join(lines) + "\n"


def write(paths: Paths, state: TwinState, record: StackRecord) -> Path:
    path = paths.profile(record.stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render(paths, state, record))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def remove(paths: Paths, stack: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        paths.profile(stack).unlink()
