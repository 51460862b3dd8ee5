"""A course plan: `courses/<course>.yaml`, validated once when read.

A course plan lists a course's sessions (week, hours, lab, where it runs, what it uses in the
cloud) and the blueprint settings its cloud labs are planned with. `lakelab cost --course`
prices it; docs/cost.md describes the format. Invalid input raises `UserError` with one line
per bad field, named by its place in the file (`sessions[3].where: ...`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lakelab.errors import UserError
from lakelab.regions import CLOUDS, Cloud

SCHEMA: Final = "lakelab.course/v1"
# A session runs on the twin, on one cloud (by its registry name), or on every cloud.
Where = Literal["twin", Cloud, "both"]
CLOUDS_OF: Final[dict[str, tuple[str, ...]]] = {
    "twin": (),
    **{cloud: (cloud,) for cloud in CLOUDS},
    "both": CLOUDS,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Usage(_Strict):
    """What one learner does in the cloud in one session. Each medallion run is its stages
    (bronze, silver, gold) as Glue jobs on AWS and Spark job activities on Azure."""

    pipeline_runs: int = Field(default=0, ge=0, le=50)
    queries: int = Field(default=0, ge=0, le=10_000)
    warehouse_queries: int = Field(default=0, ge=0, le=10_000)
    warehouse_minutes: float = Field(default=0, ge=0, le=600)
    spark_minutes: float = Field(default=0, ge=0, le=600)

    @property
    def empty(self) -> bool:
        return not any(self.model_dump().values())


class Session(_Strict):
    week: int = Field(ge=1, le=52)
    hours: float = Field(gt=0, le=12)
    lab: str
    where: Where
    topic: str = ""
    usage: Usage = Usage()

    @property
    def clouds(self) -> tuple[str, ...]:
        return CLOUDS_OF[self.where]


class CoursePlan(_Strict):
    schema_: str = Field(alias="schema")
    course: str
    title: str
    weeks: int = Field(ge=1, le=52)
    based_on: str = ""
    # Blueprint settings (stack config keys, camelCase) the course's cloud labs are planned
    # with, e.g. `spark: {autoPauseMinutes: 5}`.
    lab_settings: dict[str, Any] = Field(default_factory=dict)
    sessions: tuple[Session, ...] = Field(min_length=1)

    @field_validator("schema_")
    @classmethod
    def _schema(cls, v: str) -> str:
        if v != SCHEMA:
            raise ValueError(f"schema is {v!r}; this lakelab reads {SCHEMA}")
        return v

    def cloud_sessions(self, cloud: str) -> tuple[Session, ...]:
        return tuple(s for s in self.sessions if cloud in s.clouds)

    def stands_weeks(self, cloud: str) -> tuple[int, int] | None:
        """The weeks a learner's lab on `cloud` stands: from the week of its first session to
        the week of its last (it is brought up before and torn down after)."""
        weeks = [s.week for s in self.cloud_sessions(cloud)]
        return (min(weeks), max(weeks)) if weeks else None


def _place(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<file>"


def _problems(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p != "schema_") or err["loc"]
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "is not a course plan setting (check the spelling)"
        elif err["type"] == "missing":
            msg = "is required"
        lines.append(f"{_place(tuple(loc))}: {msg}")
    return "\n".join(lines)


def _check_semantics(plan: CoursePlan, known_labs: set[str]) -> list[str]:
    lines = []
    for i, s in enumerate(plan.sessions):
        if s.week > plan.weeks:
            lines.append(f"sessions[{i}].week: week {s.week} is after the course's {plan.weeks}")
        if s.lab not in known_labs:
            lines.append(
                f"sessions[{i}].lab: unknown lab {s.lab!r}; labs: {', '.join(sorted(known_labs))}"
            )
        if s.where == "twin" and not s.usage.empty:
            lines.append(f"sessions[{i}].usage: a twin session uses no cloud; drop its usage")
    return lines


def known_labs() -> set[str]:
    """Labs a course may name: those present, and those in the course order being written."""
    from lakelab.labs.registry import PLANNED, lab_ids

    return set(lab_ids()) | set(PLANNED)


def parse_course(doc: Any, source: str, labs: set[str] | None = None) -> CoursePlan:
    if not isinstance(doc, dict):
        raise UserError(f"{source}: a course plan is a mapping with schema, course, sessions")
    try:
        plan = CoursePlan.model_validate(doc)
    except ValidationError as exc:
        raise UserError(f"{source}:\n{_problems(exc)}") from None
    lines = _check_semantics(plan, known_labs() if labs is None else labs)
    if lines:
        raise UserError(f"{source}:\n" + "\n".join(lines))
    return plan


def load_course(path: Path) -> CoursePlan:
    try:
        doc = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise UserError(f"no course plan at {path}") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder; name a course plan file") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({exc})") from None
    return parse_course(doc, str(path))
