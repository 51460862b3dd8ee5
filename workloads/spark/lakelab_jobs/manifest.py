"""Run manifests: one JSON document per stage run with every count the run produced.

A manifest is written even when reconciliation fails (then the job fails right after), so
the numbers that did not add up are on record.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from lakelab_jobs.contract import REASONS


class ReconciliationError(RuntimeError):
    """Rows in and rows out of a stage do not add up."""


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SilverCounts:
    """What happened to one entity's input rows in a silver run.

    rows_in == inserted + updated + quarantined + duplicates_in_input + stale_versions
    silver_rows_after == silver_rows_before + inserted
    """

    batches: list[str]
    rows_in: int = 0
    inserted: int = 0
    updated: int = 0
    quarantined: int = 0
    quarantine_by_reason: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    # Older copies of a key inside this input, beaten by a newer copy of the same key.
    duplicates_in_input: int = 0
    # Input rows older than the version silver already holds (late replays).
    stale_versions: int = 0
    silver_rows_before: int = 0
    silver_rows_after: int = 0
    # Copy-on-write cost of an incremental merge: table files replaced, rows written.
    files_replaced: int = 0
    rows_rewritten: int = 0

    @property
    def to_silver(self) -> int:
        return self.inserted + self.updated

    @property
    def duplicates_dropped(self) -> int:
        return self.duplicates_in_input + self.stale_versions

    def problems(self) -> list[str]:
        found = []
        accounted = self.to_silver + self.quarantined + self.duplicates_dropped
        if self.rows_in != accounted:
            found.append(
                f"rows_in {self.rows_in} != silver {self.to_silver} + quarantine "
                f"{self.quarantined} + duplicates {self.duplicates_dropped}"
            )
        if sum(self.quarantine_by_reason.values()) != self.quarantined:
            found.append("quarantine_by_reason does not sum to quarantined")
        if self.silver_rows_after != self.silver_rows_before + self.inserted:
            found.append(
                f"silver rows {self.silver_rows_after} != {self.silver_rows_before} before "
                f"+ {self.inserted} inserted"
            )
        return found

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["to_silver"] = self.to_silver
        data["duplicates_dropped"] = self.duplicates_dropped
        data["reconciled"] = not self.problems()
        return data


@dataclass
class Manifest:
    run_id: str
    stage: str
    mode: str
    lake: dict[str, str]
    started_at: str = ""
    finished_at: str = ""
    duration_s: float = 0.0
    # The mode actually used: an incremental run with nothing to build on runs in full.
    effective_mode: str = ""
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    watermark: dict[str, Any] = field(default_factory=dict)
    # Seconds per step ("orders.validate", ...), for finding where a run spends its time.
    steps: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    _clock: float = field(default=0.0, repr=False)

    def start(self) -> Manifest:
        self.started_at = iso(utc_now())
        self._clock = time.perf_counter()
        return self

    def finish(self) -> Manifest:
        self.finished_at = iso(utc_now())
        self.duration_s = round(time.perf_counter() - self._clock, 3)
        return self

    @property
    def reconciled(self) -> bool:
        return not self.problems

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        data["reconciled"] = self.reconciled
        return json.dumps(data, indent=2, sort_keys=True) + "\n"
