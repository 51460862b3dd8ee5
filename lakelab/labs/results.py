"""Recorded lab results: a graded check is a result, kept after the lake changes.

Labs share a learner's lake, and a later lab's `start` may clear tables an earlier lab wrote,
so a grade computed now can fall below what the learner achieved. Every grading is recorded
in the lab's work folder (`results.json`):

- `latest`: the most recent grading;
- `best`: the grading with the most criteria passed (the earliest of equals).

Each record says who (stack, learner), when (UTC), which criteria passed, and a fingerprint of
what was graded: a SHA-256 over every object of the learner's lake (layer, key and version
token), so an instructor can tell two gradings of the same lake from gradings of different
ones. The file is replaced atomically under a lock, so two gradings at once lose neither.
`lakelab local rm` deletes the records with the learner; `lab reset` keeps them (a reset
starts the lab's data over, not the learner's history).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel, ConfigDict, ValidationError

from lakelab.errors import UserError
from lakelab.naming import LAYERS

if TYPE_CHECKING:
    from lakelab.clouds.target import Lake

FILE: Final = "results.json"


class Grading(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lab: str
    stack: str
    learner: str
    at: datetime
    passed: int
    total: int
    passed_criteria: tuple[str, ...]
    failed_criteria: tuple[str, ...]
    fingerprint: str

    @property
    def ok(self) -> bool:
        return self.passed == self.total


class Recorded(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    best: Grading
    latest: Grading


def fingerprint(lake: Lake) -> str:
    """SHA-256 over (layer, key, version) of every object in the learner's lake."""
    digest = hashlib.sha256()
    for layer in LAYERS:
        for key, version in sorted(lake.versions(layer).items()):
            digest.update(f"{layer}\0{key}\0{version}\n".encode())
    return digest.hexdigest()


def grading(
    doc: dict[str, Any], learner: str, lake_fingerprint: str, at: datetime | None = None
) -> Grading:
    """A grading from a `results_json` document."""
    return Grading(
        lab=doc["lab"],
        stack=doc["stack"],
        learner=learner,
        at=at or datetime.now(UTC),
        passed=doc["passed"],
        total=doc["total"],
        passed_criteria=tuple(c["id"] for c in doc["criteria"] if c["passed"]),
        failed_criteria=tuple(c["id"] for c in doc["criteria"] if not c["passed"]),
        fingerprint=lake_fingerprint,
    )


@contextlib.contextmanager
def _locked(work_dir: Path) -> Iterator[None]:
    with open(work_dir / ".results.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read(work_dir: Path) -> Recorded | None:
    path = work_dir / FILE
    if not path.is_file():
        return None
    try:
        return Recorded.model_validate_json(path.read_text())
    except (ValidationError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise UserError(f"{path} is not a lab results file ({first}); delete it") from None


def record(work_dir: Path, new: Grading) -> Recorded:
    """Add a grading: it becomes `latest`, and `best` if it passes more than the best so far."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with _locked(work_dir):
        before = read(work_dir)
        best = new if before is None or new.passed > before.best.passed else before.best
        recorded = Recorded(best=best, latest=new)
        tmp = work_dir / f".{FILE}.{os.getpid()}.tmp"
        tmp.write_text(recorded.model_dump_json(indent=2))
        os.replace(tmp, work_dir / FILE)
    return recorded
