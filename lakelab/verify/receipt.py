"""The receipt of an acceptance run: each step, how long it took, what it cost, what is left."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class StepResult:
    key: str
    title: str
    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class Receipt:
    stack: str
    cloud: str
    started: str
    actor: str = ""
    steps: list[StepResult] = field(default_factory=list)
    resources_created: int | None = None
    gold: dict[str, Any] = field(default_factory=dict)
    cost_usd: float | None = None
    leftovers: list[str] = field(default_factory=list)
    kept: bool = False

    @property
    def failed(self) -> StepResult | None:
        return next((s for s in self.steps if not s.ok), None)

    @property
    def ok(self) -> bool:
        return self.failed is None and not self.leftovers

    def step(self, key: str) -> StepResult:
        return next(s for s in self.steps if s.key == key)

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}
