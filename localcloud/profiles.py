"""The learner's profile: endpoints and credentials as shell `export` lines.

`profiles/<stack>.env` is written when a stack is provisioned and printed by
`lakelab local env --stack X` (use `eval "$(lakelab local env --stack X)"`; in a script under
`set -e`, `out="$(lakelab local env --stack X)"` then `eval "$out"`, so a failure stops it:
an `eval` of nothing is true). `local env` prints nothing on stdout and fails with one
`error:` line when the twin cannot give a working environment (`working`: emulator stopped or
not answering, stack not provisioned, or gone from the emulator). The variables are
the ones the SDKs read on their own:

- AWS: `AWS_ENDPOINT_URL` (boto3/botocore, the AWS CLI, DuckDB's aws extension),
  `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION` / `AWS_DEFAULT_REGION`.
- Azure: `AZURE_STORAGE_CONNECTION_STRING` (adlfs/fsspec `abfs://`, the Azure CLI, and
  `BlobServiceClient.from_connection_string`), plus `AZURE_STORAGE_ACCOUNT_NAME`/`_KEY` and
  `AZURE_STORAGE_ENDPOINT` (object_store: polars with `credential_provider=None`).

`LAKELAB_*` variables name the learner's resources for the labs (buckets, containers, catalog
databases, workgroup or SQL endpoint), so lab code never hard-codes a name. The variables are
rendered from the stack record's typed `LearnerProfile` by `lakelab.clouds.profile_env` and
read back by `lakelab.clouds.profile_from_env`: one spelling, written and read by one module.
"""

from __future__ import annotations

import contextlib
import os
import shlex
from pathlib import Path
from typing import Final

from lakelab.clouds import profile_env
from lakelab.errors import UserError
from lakelab.profile import LearnerProfile
from localcloud.cloud import EmulatorStatus, short
from localcloud.clouds import twin_for
from localcloud.state import Paths, StackRecord, TwinState

# Said at the end of every refusal: `eval` got nothing, so nothing half-works.
NOTHING: Final = "(no environment was printed)"


def profile(state: TwinState, record: StackRecord) -> LearnerProfile:
    """The learner's typed profile, with the twin's current endpoint for their cloud."""
    if record.profile is None:
        raise UserError(
            f"stack {record.stack} was provisioned by an older lakelab; run"
            f" `lakelab local up --stack {record.stack}` again to refresh it"
        )
    endpoint = twin_for(record.cloud).url(state)
    return record.profile.model_copy(update={"endpoint": endpoint})


def variables(paths: Paths, state: TwinState, record: StackRecord) -> dict[str, str]:
    return profile_env(profile(state, record))


def render(paths: Paths, state: TwinState, record: StackRecord) -> str:
    lines = [
        f"# lakelab local twin: {record.stack} (learner {record.learner}, cohort {record.cohort})",
        f'# load with: eval "$(lakelab local env --stack {record.stack})"',
        *(f"# {hint}" for hint in twin_for(record.cloud).env_hints),
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


def working(paths: Paths, state: TwinState, record: StackRecord) -> str:
    """`render`, once the twin is known to serve this learner: their emulator answers, their
    credentials are on record and every resource on record is still in the emulator.
    Otherwise one `UserError` naming what is wrong and the command that fixes it."""
    stack = record.stack
    twin = twin_for(record.cloud)
    emulator = twin.status(paths, state)
    if emulator.state not in ("running", "external"):
        raise UserError(_not_serving(stack, emulator))
    learner = profile(state, record)
    if not (learner.key_id and learner.secret):
        raise UserError(
            f"stack {stack} has no credentials in the local twin; run"
            f" `lakelab local up --stack {stack}` again {NOTHING}"
        )
    try:
        gone = twin.missing(paths, state, record)
    except Exception as exc:
        raise UserError(
            f"cannot read stack {stack} from the {emulator.label} at {emulator.url}:"
            f" {short(exc)} {NOTHING}"
        ) from None
    if gone:
        shown = ", ".join(gone[:3]) + (f" and {len(gone) - 3} more" if len(gone) > 3 else "")
        raise UserError(
            f"stack {stack} is on record but the {emulator.label} no longer has {shown};"
            f" `lakelab local up --stack {stack}` recreates them, empty {NOTHING}"
        )
    return render(paths, state, record)


def _not_serving(stack: str, emulator: EmulatorStatus) -> str:
    where = f"the {emulator.label} for {stack}"
    if emulator.state == "stopped":
        fix = f"start it with `lakelab local up --stack {stack}`"
        return f"{where} is stopped at {emulator.url}; {fix} {NOTHING}"
    if emulator.pid is None:  # an existing endpoint lakelab does not run
        return f"{where} does not answer at {emulator.url}; start it and try again {NOTHING}"
    return (
        f"{where} runs (pid {emulator.pid}) but does not answer at {emulator.url}; restart it"
        f" with `lakelab local down` then `lakelab local up --stack {stack}` {NOTHING}"
    )
