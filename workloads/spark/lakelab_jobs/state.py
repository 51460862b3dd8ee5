"""Watermarks: what each stage has already processed, kept as small JSON files.

- bronze needs no file: a landing batch is ingested once `bronze/<entity>/batch=<b>/` exists.
- silver.json: per entity, the bronze batches merged so far and the highest `updated_at`;
  plus a change log of the order dates each run touched, which gold consumes.
- gold.json: the last silver change-log entry gold has applied.

Each stage writes only its own file, so stages never race on the same document.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from lakelab_jobs.lakefs import LakeFS

# Change-log entries kept; a gold stage further behind than this recomputes everything.
CHANGE_LOG_LIMIT: Final = 500


@dataclass
class EntityWatermark:
    batches: list[str] = field(default_factory=list)
    max_updated_at: str | None = None
    rows: int = 0

    @property
    def last_batch(self) -> str | None:
        return self.batches[-1] if self.batches else None


@dataclass
class DateChange:
    """Order dates whose silver rows changed in one run; `dates is None` means all."""

    seq: int
    run_id: str
    dates: list[str] | None


@dataclass
class Publish:
    """An incremental merge being published: staged files to move in, table files to drop."""

    staging: str
    replaced_files: list[str]


@dataclass
class SilverState:
    entities: dict[str, EntityWatermark] = field(default_factory=dict)
    changes: list[DateChange] = field(default_factory=list)
    # Recorded before a publish starts and cleared after, so an interrupted one is finished
    # by the next run instead of leaving a table with rows missing or doubled.
    publishing: dict[str, Publish] = field(default_factory=dict)

    @property
    def last_seq(self) -> int:
        return self.changes[-1].seq if self.changes else 0

    def log_change(self, run_id: str, dates: list[str] | None) -> None:
        self.changes.append(DateChange(self.last_seq + 1, run_id, dates))
        del self.changes[:-CHANGE_LOG_LIMIT]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SilverState:
        return cls(
            entities={k: EntityWatermark(**v) for k, v in data.get("entities", {}).items()},
            changes=[DateChange(**c) for c in data.get("changes", [])],
            publishing={k: Publish(**v) for k, v in data.get("publishing", {}).items()},
        )


@dataclass
class GoldState:
    applied_seq: int = 0
    rows: int = 0
    checksum: str = ""  # of the table as last written

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GoldState:
        return cls(**data)


def load_silver(fs: LakeFS, uri: str) -> SilverState:
    text = fs.read_text(uri)
    return SilverState.from_json(json.loads(text)) if text else SilverState()


def load_gold(fs: LakeFS, uri: str) -> GoldState:
    text = fs.read_text(uri)
    return GoldState.from_json(json.loads(text)) if text else GoldState()


def save(fs: LakeFS, uri: str, state: SilverState | GoldState) -> None:
    fs.write_text(uri, json.dumps(asdict(state), indent=2, sort_keys=True) + "\n")
