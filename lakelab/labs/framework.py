"""What a lab is, what it is given, and how it is graded.

A lab package (`labs/<lab_id>/`) exposes `LAB`, an object with `info` and the hooks below.
Every hook receives a `LabContext`: the learner's stack, their lake (with their own
credentials), a work folder, and the lab's fixed seed. Labs never hard-code a bucket or a
container: they go through `ctx.lake`, which maps layer names to the learner's cloud.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from lakelab.blueprint import Blueprint
from lakelab.lake import Lake

Role = Literal["architect", "engineer", "analyst"]
Tier = Literal["L1", "L2", "L3"]
ALL_ROLES: tuple[Role, ...] = ("engineer", "architect", "analyst")
ALL_TIERS: tuple[Tier, ...] = ("L1", "L2", "L3")


@dataclass(frozen=True)
class LabInfo:
    id: str
    title: str
    summary: str
    roles: tuple[Role, ...] = ALL_ROLES
    tiers: tuple[Tier, ...] = ALL_TIERS
    course_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Criterion:
    """One graded line: what was expected, what was found, and whether it passes."""

    id: str
    description: str
    expected: Any
    found: Any
    passed: bool

    @classmethod
    def equal(cls, id: str, description: str, expected: Any, found: Any) -> Criterion:
        return cls(id, description, expected, found, expected == found)

    @classmethod
    def at_least(cls, id: str, description: str, minimum: float, found: float) -> Criterion:
        return cls(id, description, f">= {minimum:g}", found, found >= minimum)

    @classmethod
    def holds(
        cls, id: str, description: str, ok: bool, found: Any, expected: Any = True
    ) -> Criterion:
        return cls(id, description, expected, found, ok)


class LabBase:
    """What every lab shares. A lab sets `info` and `grade` (its checks, as a staticmethod),
    writes `start`, `run` and `reset`, and lists the faults `lakelab lab break` can inject in
    `make_drills` (none unless it says so)."""

    info: LabInfo
    grade: Callable[[LabContext], list[Criterion]]

    def __init__(self) -> None:
        self.drills: dict[str, Callable[[LabContext], str]] = self.make_drills()

    def make_drills(self) -> dict[str, Callable[[LabContext], str]]:
        return {}

    def check(self, ctx: LabContext) -> list[Criterion]:
        """Grade what is in the learner's lake now."""
        return self.grade(ctx)


@dataclass
class LabContext:
    stack: str
    blueprint: Blueprint
    lake: Lake
    work_dir: Path
    seed: int = 20261122
    log: Callable[[str], None] = field(default=print)

    @property
    def cloud(self) -> str:
        return self.blueprint.cloud

    def put_json(self, layer: str, key: str, doc: Any) -> None:
        self.lake.put(layer, key, json.dumps(doc, indent=2, sort_keys=True, default=str).encode())

    def get_json(self, layer: str, key: str) -> Any:
        return json.loads(self.lake.get(layer, key))

    def exists(self, layer: str, key: str) -> bool:
        return key in self.lake.keys(layer, key)


class Lab(Protocol):
    info: LabInfo
    # Faults `lakelab lab break <drill>` can inject (only the failure-drills lab has any).
    drills: dict[str, Callable[[LabContext], str]]

    def start(self, ctx: LabContext) -> str:
        """Generate the lab's data deterministically and land it; returns a summary."""

    def run(self, ctx: LabContext) -> str:
        """The reference solution, on the learner's lake; returns a summary."""

    def check(self, ctx: LabContext) -> list[Criterion]:
        """Grade what is in the learner's lake now."""

    def reset(self, ctx: LabContext) -> str:
        """Remove everything the lab and the learner wrote for it."""


def results_json(lab: str, stack: str, criteria: list[Criterion]) -> dict[str, Any]:
    return {
        "lab": lab,
        "stack": stack,
        "passed": sum(c.passed for c in criteria),
        "total": len(criteria),
        "ok": all(c.passed for c in criteria),
        "criteria": [asdict(c) for c in criteria],
    }
