"""What a sweep found, deleted and left behind; shared by the AWS and Azure sweeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

TAG_COHORT: Final = "cohort"
TAG_LEARNER: Final = "learner"
TAG_MANAGED_BY: Final = "managed-by"
MANAGED_BY: Final = "lakelab"


@dataclass(frozen=True)
class Found:
    """One cloud resource that carries the cohort's tags (or a lakelab name of the cohort)."""

    cloud: str
    kind: str
    name: str
    id: str
    region: str = ""
    learner: str | None = None


@dataclass
class SweepReport:
    cloud: str
    deleted: list[Found] = field(default_factory=list)
    failed: list[tuple[Found, str]] = field(default_factory=list)
    leftovers: list[Found] = field(default_factory=list)
    # Checks that could not run: nothing can be said about what they would have found.
    unverified: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.leftovers and not self.unverified

    def blocks(self, learner: str) -> bool:
        """Whether something of this learner (or of no learner) may still exist."""
        if self.unverified:
            return True
        return any(item.learner in (None, learner) for item in self.leftovers)


def matches(tags: dict[str, str], cohort: str, learners: set[str] | None) -> bool:
    if tags.get(TAG_COHORT) != cohort or tags.get(TAG_MANAGED_BY) != MANAGED_BY:
        return False
    return learners is None or tags.get(TAG_LEARNER) in learners
