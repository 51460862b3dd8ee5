"""What an offline plan holds (`lakelab.plan`): the resources a program declares, its outputs,
and their stable JSON form (`schema: lakelab.plan/v1`, docs/plan-format.md)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Final

SCHEMA: Final = "lakelab.plan/v1"
PROJECT: Final = "lakelab"


@dataclass
class PlannedResource:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    tags: dict[str, str] | None


@dataclass
class Plan:
    stack: str
    cloud: str
    blueprint: dict[str, Any]
    resources: list[PlannedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    # (type, name) -> the (type, name) of each resource it waits for (`depends_on` and the
    # resources its inputs come from). Not part of the JSON form.
    dependencies: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, type_: str, name: str) -> PlannedResource:
        for r in self.resources:
            if r.type == type_ and r.name == name:
                return r
        raise KeyError(f"no {type_} named {name!r} in the plan of {self.stack}")

    def depends_on(self, type_: str, name: str) -> list[tuple[str, str]]:
        """What the resource waits for, as (type, name)."""
        self.named(type_, name)
        return self.dependencies.get((type_, name), [])

    def to_json(self) -> dict[str, Any]:
        counts = Counter(r.type for r in self.resources if r.custom)
        return {
            "schema": SCHEMA,
            "stack": self.stack,
            "cloud": self.cloud,
            "project": PROJECT,
            "blueprint": self.blueprint,
            "resources": [asdict(r) for r in self.resources],
            "outputs": self.outputs,
            "summary": {
                "resources": sum(counts.values()),
                "components": sum(1 for r in self.resources if not r.custom),
                "by_type": dict(sorted(counts.items())),
            },
        }
