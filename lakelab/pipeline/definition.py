"""The pipeline definition: a YAML document (`medallion.yaml`) read into typed, validated
objects.

Why a document and not Python: learners edit it (the orchestrated-pipelines lab asks them to
add a dependency, a retry policy and an alert), a diff of it reads like the change it is, and
loading it runs no code. The loader checks everything the renderings rely on, so the Glue
workflow, the Data Factory activities, the Airflow DAG and the local runner never meet a
dangling dependency, a cycle or a negative retry count; a bad file is one line naming the file
and the problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lakelab.errors import UserError

DEFAULT_FILE: Final = Path(__file__).resolve().parent / "medallion.yaml"
# The steps the workload knows how to run, in their natural order. A definition orders and
# wires them; it cannot invent a step no target can run.
KNOWN_STEPS: Final = ("land", "bronze", "silver", "gold", "catalog", "dbt", "quality_gate")
StepId = Literal["land", "bronze", "silver", "gold", "catalog", "dbt", "quality_gate"]
AlertWhen = Literal["failure", "retry"]
MODES: Final = ("incremental", "full")


class DefinitionError(UserError):
    """The pipeline definition is not valid."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Model):
    description: str = ""
    default: str | None = None
    choices: tuple[str, ...] = ()


class Policy(_Model):
    """How a step is retried and how long one attempt may take."""

    retries: int = Field(0, ge=0, le=10)
    retry_interval_s: int = Field(60, ge=0, le=86_400)
    retry_backoff: float = Field(2.0, ge=1.0, le=10.0)
    timeout_min: int = Field(60, ge=1, le=2880)

    def delay_s(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1 = the first retry)."""
        return float(self.retry_interval_s * self.retry_backoff ** (retry - 1))


class Step(_Model):
    id: StepId
    description: str = ""
    depends_on: tuple[StepId, ...] = ()
    optional: bool = False
    retries: int | None = Field(None, ge=0, le=10)
    retry_interval_s: int | None = Field(None, ge=0, le=86_400)
    retry_backoff: float | None = Field(None, ge=1.0, le=10.0)
    timeout_min: int | None = Field(None, ge=1, le=2880)


class Alert(_Model):
    # Not `on`: YAML 1.1 reads a bare `on` as true.
    when: AlertWhen
    steps: tuple[StepId, ...] = ()  # empty: every step
    description: str = ""

    def covers(self, step: str) -> bool:
        return not self.steps or step in self.steps


class Definition(_Model):
    pipeline: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    description: str = ""
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    defaults: Policy = Policy()
    steps: tuple[Step, ...] = Field(min_length=1)
    alerts: tuple[Alert, ...] = ()

    @model_validator(mode="after")
    def _graph(self) -> Definition:
        ids = [s.id for s in self.steps]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"step {twice[0]!r} is defined more than once")
        for step in self.steps:
            for up in step.depends_on:
                if up == step.id:
                    raise ValueError(f"step {step.id!r} depends on itself")
                if up not in ids:
                    raise ValueError(f"step {step.id!r} depends on {up!r}, which is not a step")
        for alert in self.alerts:
            for s in alert.steps:
                if s not in ids:
                    raise ValueError(f"an alert names {s!r}, which is not a step")
        mode = self.parameters.get("mode")
        if mode is not None and not set(mode.choices) <= set(MODES):
            raise ValueError(f"parameter mode allows only {', '.join(MODES)}")
        self.order()  # raises on a cycle
        return self

    # --- the graph ----------------------------------------------------------------------
    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps)

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise DefinitionError(f"{step_id!r} is not a step of {self.pipeline}")

    def edges(self) -> set[tuple[str, str]]:
        """(upstream, downstream) for every dependency."""
        return {(up, s.id) for s in self.steps for up in s.depends_on}

    def order(self) -> tuple[str, ...]:
        """The steps in an order that respects every dependency (ties: file order)."""
        done: list[str] = []
        waiting = list(self.steps)
        while waiting:
            ready = [s for s in waiting if set(s.depends_on) <= set(done)]
            if not ready:
                raise ValueError(
                    "the dependencies form a cycle: " + " -> ".join(s.id for s in waiting)
                )
            done.append(ready[0].id)
            waiting.remove(ready[0])
        return tuple(done)

    def downstream(self, step_id: str) -> set[str]:
        """Every step that (transitively) depends on `step_id`."""
        found: set[str] = set()
        frontier = {step_id}
        while frontier:
            frontier = {d for (u, d) in self.edges() if u in frontier} - found
            found |= frontier
        return found

    def upstream(self, step_id: str) -> set[str]:
        found: set[str] = set()
        frontier = {step_id}
        while frontier:
            frontier = {u for (u, d) in self.edges() if d in frontier} - found
            found |= frontier
        return found

    def restricted(self, keep: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The graph as a target sees it when it runs only the steps in `keep`: each kept
        step waits for its nearest kept ancestors (a step the target does not run passes
        its own dependencies on). Steps in definition order, each with its upstreams in
        definition order."""
        wanted = set(keep)
        kept = [s for s in self.order() if s in wanted]
        graph: dict[str, tuple[str, ...]] = {}
        for step_id in kept:
            nearest: set[str] = set()
            frontier = set(self.step(step_id).depends_on)
            while frontier:
                nearest |= {u for u in frontier if u in graph}
                frontier = {
                    up for u in frontier if u not in graph for up in self.step(u).depends_on
                }
            graph[step_id] = tuple(u for u in kept if u in nearest)
        return graph

    # --- policies and parameters --------------------------------------------------------
    def policy(self, step_id: str) -> Policy:
        """The step's retry and timeout policy, its own settings over the defaults."""
        step = self.step(step_id)
        own = {
            k: v for k, v in step.model_dump().items() if k in Policy.model_fields and v is not None
        }
        return self.defaults.model_copy(update=own)

    def default(self, parameter: str, fallback: str = "") -> str:
        p = self.parameters.get(parameter)
        return p.default if p is not None and p.default is not None else fallback

    def alerts_for(self, step_id: str, when: str) -> list[Alert]:
        return [a for a in self.alerts if a.when == when and a.covers(step_id)]


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def parse(doc: Any, source: str = "the pipeline definition") -> Definition:
    if not isinstance(doc, Mapping):
        raise DefinitionError(f"{source}: expected a mapping with `pipeline` and `steps`")
    try:
        return Definition.model_validate(dict(doc))
    except ValidationError as exc:
        raise DefinitionError(f"{source}: {_first_error(exc)}") from None


def load(path: Path | None = None) -> Definition:
    """The definition in `path` (default: the shared workload's `medallion.yaml`)."""
    path = path or DEFAULT_FILE
    try:
        text = path.read_text()
    except OSError as exc:
        raise DefinitionError(f"cannot read pipeline definition {path}: {exc.strerror}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise DefinitionError(f"{path}: not valid YAML{line}") from None
    return parse(doc, str(path))


@dataclass(frozen=True)
class Summary:
    """The three things every rendering must agree on."""

    steps: tuple[str, ...]
    edges: frozenset[tuple[str, str]]
    retries: Mapping[str, int]


def summary(definition: Definition, keep: Iterable[str] | None = None) -> Summary:
    graph = definition.restricted(definition.ids if keep is None else keep)
    return Summary(
        tuple(graph),
        frozenset((u, d) for d, ups in graph.items() for u in ups),
        {s: definition.policy(s).retries for s in graph},
    )
