"""Injected step failures for drills: a step of one named pipeline fails its first attempts.

The orchestrated-pipelines lab makes a step flaky on purpose, so the learner sees what a
missing retry policy costs and proves that theirs works. The fault is a small JSON file in
the stack's run folder (`runs/<stack>/pipeline-faults.json`):

    {"pipeline": "daily_sales", "step": "land", "fail_attempts": 1,
     "message": "the sources API timed out"}

It cannot leak into normal runs: it applies only to a definition given with `--definition`
whose `pipeline` name is the fault's, never to the packaged `medallion.yaml` (nor to a file
that renames itself `medallion`), and it is removed with the lab (`lakelab lab reset`) or
the learner (`lakelab local rm`). In a run it applies to, the step's first `fail_attempts`
attempts raise `InjectedFailure` before the step does anything; later attempts run the real
step. Every run of that pipeline meets the fault again, so each one needs its retry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lakelab.errors import UserError
from lakelab.pipeline.definition import KNOWN_STEPS, StepId
from lakelab.settings import Settings

FILE_NAME: Final = "pipeline-faults.json"
PACKAGED: Final = "medallion"  # the packaged definition's name: never faulted

Action = Callable[[], str]


class InjectedFailure(RuntimeError):
    """The failure a fault injects (a step's attempt that fails on purpose)."""


class Fault(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pipeline: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    step: StepId
    fail_attempts: int = Field(1, ge=1, le=10)
    message: str = "injected failure"


def fault_file(stack: str) -> Path:
    # Beside the run records, not among them: `history` reads every *.json in `pipeline/`.
    return Settings.current().runs_dir(stack) / FILE_NAME


def inject(stack: str, fault: Fault) -> Path:
    if fault.pipeline == PACKAGED:
        raise UserError(f"the packaged pipeline {PACKAGED!r} cannot be given a fault")
    path = fault_file(stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fault.model_dump(), indent=2) + "\n")
    return path


def clear(stack: str) -> bool:
    path = fault_file(stack)
    present = path.is_file()
    path.unlink(missing_ok=True)
    return present


def load(stack: str) -> Fault | None:
    """The stack's fault, or None; a damaged file is one clear error (it names the file)."""
    path = fault_file(stack)
    if not path.is_file():
        return None
    try:
        return Fault.model_validate(json.loads(path.read_text()))
    except (ValueError, ValidationError):
        raise UserError(
            f"{path} is not a valid fault (pipeline, step one of {', '.join(KNOWN_STEPS)},"
            " fail_attempts); delete it or run `lakelab lab reset orchestrated-pipelines`"
        ) from None


def for_run(stack: str, pipeline: str, definition_file: Path | None) -> Fault | None:
    """The fault that applies to a run of `pipeline` from `definition_file` (None: the
    packaged definition, which no fault applies to)."""
    if definition_file is None or pipeline == PACKAGED:
        return None
    fault = load(stack)
    return fault if fault is not None and fault.pipeline == pipeline else None


def apply(actions: Mapping[str, Action], fault: Fault | None) -> dict[str, Action]:
    """`actions` with the fault's step failing its first attempts (counted per run: one
    `actions` mapping serves one run)."""
    wrapped = dict(actions)
    if fault is None or fault.step not in wrapped:
        return wrapped
    real = wrapped[fault.step]
    calls = [0]

    def flaky() -> str:
        calls[0] += 1
        if calls[0] <= fault.fail_attempts:
            raise InjectedFailure(
                f"{fault.message} (injected: attempt {calls[0]} of the first"
                f" {fault.fail_attempts} fails)"
            )
        return real()

    wrapped[fault.step] = flaky
    return wrapped
