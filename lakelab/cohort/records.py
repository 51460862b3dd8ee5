"""What lakelab remembers about a cohort's runs, under `<project>/.lakelab/cohorts/<cohort>/`:

    runs.jsonl             one JSON line per stack operation (up, destroy, remove), append-only
    logs/<stack>.log       every operation's full output for that stack, each under a header
    work/worker-<n>/       one Pulumi work dir per worker (see `lakelab.cohort.engine`)
    status.html            the last `lakelab cohort status` page
    .lock                  held while a cohort command changes anything

A stack is up to date when its last operation was a successful `up` with the same
fingerprint: the stack config file plus the Pulumi program's sources.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from lakelab.errors import UserError
from lakelab.stackfiles import project_root, stack_file

Target = Literal["cloud", "local"]
Op = Literal["up", "destroy", "remove"]
Result = Literal["succeeded", "failed", "skipped"]
Status = Literal["not deployed", "up", "failed", "destroyed", "destroy failed", "removed"]
DEPLOYED: Final[frozenset[str]] = frozenset({"up", "failed", "destroy failed"})
# The program's sources: a change to any of them can change what `pulumi up` does.
_PROGRAM_GLOBS: Final = ("infra/**/*.py", "lakelab/clouds/**/*.py", "Pulumi.yaml")
_PROGRAM_FILES: Final = (
    "lakelab/blueprint.py",
    "lakelab/naming.py",
    "lakelab/regions.py",
)


def source_root() -> Path:
    """Where the Pulumi program lives (Pulumi.yaml, infra/), whatever LAKELAB_HOME says."""
    return Path(__file__).resolve().parents[2]


def cohort_dir(cohort: str) -> Path:
    return project_root() / ".lakelab" / "cohorts" / cohort


def log_file(cohort: str, stack: str) -> Path:
    return cohort_dir(cohort) / "logs" / f"{stack}.log"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class RunRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    at: datetime
    stack: str
    target: Target
    op: Op
    result: Result
    duration_s: float = 0.0
    resources: int | None = None
    fingerprint: str | None = None
    message: str = ""


def append(cohort: str, record: RunRecord) -> None:
    path = cohort_dir(cohort) / "runs.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(record.model_dump_json() + "\n")


def read(cohort: str) -> list[RunRecord]:
    path = cohort_dir(cohort) / "runs.jsonl"
    if not path.is_file():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(RunRecord.model_validate_json(line))
        except ValidationError:
            raise UserError(f"{path}:{number}: not a run record; fix or delete that line") from None
    return records


@dataclass(frozen=True)
class StackState:
    stack: str
    target: Target
    status: Status
    fingerprint: str | None = None
    since: datetime | None = None
    last: RunRecord | None = None
    resources: int | None = None

    @property
    def deployed(self) -> bool:
        return self.status in DEPLOYED


def states(cohort: str, target: Target) -> dict[str, StackState]:
    """The latest state of every stack the log knows, for one target."""
    out: dict[str, StackState] = {}
    for r in read(cohort):
        if r.target != target or r.result == "skipped":
            continue
        prev = out.get(r.stack) or StackState(r.stack, target, "not deployed")
        since = prev.since if prev.deployed else None
        if r.op == "up":
            status: Status = "up" if r.result == "succeeded" else "failed"
            out[r.stack] = StackState(
                r.stack,
                target,
                status,
                r.fingerprint if r.result == "succeeded" else prev.fingerprint,
                since or r.at,
                r,
                r.resources if r.resources is not None else prev.resources,
            )
        elif r.op == "destroy":
            if r.result == "succeeded":
                out[r.stack] = StackState(r.stack, target, "destroyed", None, None, r, 0)
            else:
                out[r.stack] = StackState(
                    r.stack, target, "destroy failed", None, since, r, r.resources
                )
        elif r.op == "remove" and r.result == "succeeded":
            out[r.stack] = StackState(r.stack, target, "removed", None, None, r, 0)
    return out


def _digest(paths: list[Path], root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


_program_cache: dict[Path, str] = {}


def program_digest() -> str:
    root = source_root()
    if root not in _program_cache:
        files = [p for pattern in _PROGRAM_GLOBS for p in root.glob(pattern) if p.is_file()]
        files += [root / f for f in _PROGRAM_FILES if (root / f).is_file()]
        _program_cache[root] = _digest(files, root)
    return _program_cache[root]


def fingerprint(stack: str, target: Target) -> str:
    """The stack file, and for the clouds the program too (the twin has its own provisioner)."""
    h = hashlib.sha256(stack_file(stack).read_bytes())
    if target == "cloud":
        h.update(program_digest().encode())
    return h.hexdigest()[:16]


@contextlib.contextmanager
def cohort_lock(cohort: str) -> Iterator[None]:
    """One changing cohort command at a time, per cohort."""
    path = cohort_dir(cohort) / ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(
                f"another lakelab cohort command is changing cohort {cohort!r}; wait for it to end"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def write_log(cohort: str, stack: str, header: str, lines: list[str], footer: str) -> Path:
    """Append one operation's output to the stack's log."""
    path = log_file(cohort, stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"=== {now().isoformat()} {header}\n")
        for line in lines:
            fh.write(line.rstrip("\n") + "\n")
        fh.write(f"=== {footer}\n\n")
    return path
