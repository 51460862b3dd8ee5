"""What `lakelab verify` asks of a cloud once a learner's stack is up.

Each cloud's home implements `Acceptance` in its `acceptance` module, built from the stack's
outputs (`infra/outputs.py` lists the keys): land files in the learner's lake, start the
stack's pipeline and report its state, and query gold through the cloud's query engine.
The `pulumi` steps and the comparison with the twin's gold are cloud-neutral
(`lakelab.verify`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class PipelineState:
    """One poll of a pipeline run. `done` once it can change no more; `ok` if it succeeded."""

    state: str
    done: bool
    ok: bool
    detail: str = ""
    steps: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryRows:
    """A query's result as the engine returned it: column names and text values."""

    columns: list[str]
    rows: list[list[str | None]]
    bytes_scanned: int
    query_id: str


class AcceptanceError(RuntimeError):
    """A step that reached the cloud and failed there; the message is one line."""


class Acceptance(Protocol):
    """A deployed learner stack, as verify drives it."""

    @property
    def actor(self) -> str:
        """Who the data lands and the queries run as (the learner, or why not)."""

    @property
    def pipeline_name(self) -> str: ...

    def land(self, files: Mapping[str, bytes]) -> int:
        """Put landing objects (`entity/batch.csv` -> bytes); returns bytes written."""

    def start_pipeline(self) -> str:
        """Start one run of the stack's pipeline; returns its run id."""

    def pipeline_state(self, run_id: str) -> PipelineState: ...

    def query(self, sql: str, timeout_s: float) -> QueryRows:
        """Run `sql` in the learner's query engine and wait for every row."""

    def gold_sql(self, table: str, columns: Sequence[str]) -> str:
        """The query that reads a gold table in the engine's own dialect."""
