"""The local twin's state folder and the record of what it runs and has provisioned.

Everything the twin keeps lives under one folder, `~/.lakelab` unless `LAKELAB_STATE_DIR`
names another:

    state.json               ports, endpoints, admin and learner credentials, provisioned stacks
    .lock                    held while a `lakelab local` command changes anything
    aws/moto.pid, moto.log   the AWS emulator's process id and log
    aws/journal.jsonl        every successful write the AWS emulator accepted (replayed on start)
    aws/control.token        the AWS emulator's control-endpoint token (new on each start, 0600)
    aws/bodies/              request bodies too large to keep inline in the journal
    azure/azurite.pid, .log  the Azure emulator's process id and log
    azure/azurite/           Azurite's own data (`--location`)
    azure/synapse/<account>/ the learner's serverless SQL catalog (a DuckDB file)
    profiles/<stack>.env     the learner's endpoints and credentials, as shell `export` lines

`state.json` is written atomically (temporary file, then rename), so a crash never leaves it
half-written. A file that cannot be read is reported as one `UserError` naming the file and
the way out (`lakelab local down --purge`), never repaired silently.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lakelab.errors import UserError
from lakelab.profile import LearnerProfile
from lakelab.regions import Cloud
from lakelab.settings import STATE_DIR, Settings

STATE_ENV: Final = STATE_DIR
STATE_VERSION: Final = 1

DEFAULT_AWS_PORT: Final = 5055
DEFAULT_AZURE_PORT: Final = 10055


def state_dir() -> Path:
    return Settings.current().state_dir


@dataclass(frozen=True)
class Paths:
    """Where each file of the state folder lives."""

    root: Path

    @classmethod
    def current(cls) -> Paths:
        return cls(state_dir())

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    @property
    def lock_file(self) -> Path:
        return self.root / ".lock"

    @property
    def aws_dir(self) -> Path:
        return self.root / "aws"

    @property
    def journal(self) -> Path:
        return self.aws_dir / "journal.jsonl"

    @property
    def aws_pid(self) -> Path:
        return self.aws_dir / "moto.pid"

    @property
    def aws_log(self) -> Path:
        return self.aws_dir / "moto.log"

    @property
    def azure_dir(self) -> Path:
        return self.root / "azure"

    @property
    def azurite_data(self) -> Path:
        return self.azure_dir / "azurite"

    @property
    def azure_pid(self) -> Path:
        return self.azure_dir / "azurite.pid"

    @property
    def azure_log(self) -> Path:
        return self.azure_dir / "azurite.log"

    @property
    def synapse_dir(self) -> Path:
        return self.azure_dir / "synapse"

    @property
    def profiles_dir(self) -> Path:
        return self.root / "profiles"

    def profile(self, stack: str) -> Path:
        return self.profiles_dir / f"{stack}.env"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AwsKeys(_Model):
    access_key_id: str
    secret_access_key: str


class AwsSide(_Model):
    """The AWS endpoint: the emulator lakelab runs, or an existing one (`endpoint` set)."""

    port: int = Field(default=DEFAULT_AWS_PORT, ge=1, le=65535)
    endpoint: str | None = None
    admin: AwsKeys | None = None
    enforcing: bool = False

    @property
    def managed(self) -> bool:
        return self.endpoint is None

    @property
    def url(self) -> str:
        return self.endpoint or f"http://127.0.0.1:{self.port}"


class AzureSide(_Model):
    """The Azure blob endpoint and every storage account it serves (name -> key)."""

    port: int = Field(default=DEFAULT_AZURE_PORT, ge=1, le=65535)
    accounts: dict[str, str] = Field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class StackRecord(_Model):
    """What the twin created for one stack, enough to find, show and remove it."""

    stack: str
    cloud: Cloud
    region: str
    cohort: str
    learner: str
    # AWS: the IAM user; Azure: the storage account.
    identity: str
    access_key_id: str | None = None
    secret: str
    # Physical names by kind ("buckets", "databases", "workgroup", "containers", ...).
    resources: dict[str, list[str]] = Field(default_factory=dict)
    # How the learner reaches the lab (the endpoint is filled in when it is read).
    profile: LearnerProfile | None = None


class TwinState(_Model):
    version: Literal[1] = STATE_VERSION
    aws: AwsSide = Field(default_factory=AwsSide)
    azure: AzureSide = Field(default_factory=AzureSide)
    stacks: dict[str, StackRecord] = Field(default_factory=dict)

    def stacks_on(self, cloud: Cloud) -> list[StackRecord]:
        return [r for r in self.stacks.values() if r.cloud == cloud]


def _corrupt(path: Path, why: str) -> UserError:
    return UserError(
        f"the local twin's state file {path} is unreadable ({why}); run"
        " `lakelab local down --purge` to stop the emulators and start afresh"
    )


def load(paths: Paths) -> TwinState:
    """The saved state, or a fresh one when the folder has none yet."""
    path = paths.state_file
    if path.is_dir():
        raise _corrupt(path, "it is a folder")
    try:
        text = path.read_text()
    except FileNotFoundError:
        return TwinState()
    except OSError as exc:
        raise _corrupt(path, exc.strerror or str(exc)) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _corrupt(path, f"not JSON, line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    try:
        return TwinState.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<top>"
        raise _corrupt(path, f"{where}: {first['msg']}") from None


def save(paths: Paths, state: TwinState) -> None:
    paths.root.mkdir(parents=True, exist_ok=True)
    text = state.model_dump_json(indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=paths.root, prefix=".state.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, paths.state_file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(paths: Paths) -> Iterator[None]:
    """Hold the state folder's lock: one `lakelab local` command changes it at a time."""
    try:
        if not paths.root.exists():
            paths.root.mkdir(parents=True)
            os.chmod(paths.root, 0o700)  # learners' data and credentials
        fh = open(paths.lock_file, "a+")  # noqa: SIM115 - closed in finally
    except OSError as exc:
        raise UserError(f"cannot use the state folder {paths.root}: {exc.strerror}") from None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()
