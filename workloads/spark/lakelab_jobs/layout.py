"""Where each layer and table lives. Every job takes one URI per layer; the paths below them
are fixed here, the same on every target:

    landing/<entity>/<batch>.csv
    bronze/<entity>/batch=<batch>/*.parquet
    silver/<entity>/*.parquet
    quarantine/<entity>/batch=<batch>/*.parquet
    gold/daily_sales/part-00000.snappy.parquet
    <state>/<stage>.json, <state>/runs/<run_id>.<stage>.json   (default state: quarantine/_lakelab)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lakelab_jobs.contract import BATCH
from lakelab_jobs.lakefs import join, to_uri


@dataclass(frozen=True)
class Lake:
    """The layer URIs one run works on."""

    landing: str
    bronze: str
    silver: str
    gold: str
    quarantine: str
    state: str = ""

    def __post_init__(self) -> None:
        for name in ("landing", "bronze", "silver", "gold", "quarantine", "state"):
            value = getattr(self, name)
            if value:
                object.__setattr__(self, name, to_uri(value).rstrip("/"))
        if not self.state:
            # Run records sit beside the quarantine: operational data every stage may write.
            object.__setattr__(self, "state", join(self.quarantine, "_lakelab"))

    @classmethod
    def under(cls, root: str | Path) -> Lake:
        """All layers as sub-folders of one local folder (the local twin and tests)."""
        base = to_uri(root)
        layers = ("landing", "bronze", "silver", "gold", "quarantine")
        return cls(**{layer: join(base, layer) for layer in layers})

    def landing_dir(self, entity: str) -> str:
        return join(self.landing, entity)

    def bronze_table(self, entity: str) -> str:
        return join(self.bronze, entity)

    def bronze_batch(self, entity: str, batch: str) -> str:
        return join(self.bronze, entity, f"{BATCH}={batch}")

    def silver_table(self, entity: str) -> str:
        return join(self.silver, entity)

    def quarantine_table(self, entity: str) -> str:
        return join(self.quarantine, entity)

    def gold_table(self, name: str) -> str:
        return join(self.gold, name)

    def state_file(self, stage: str) -> str:
        return join(self.state, f"{stage}.json")

    def manifest_file(self, run_id: str, stage: str) -> str:
        return join(self.state, "runs", f"{run_id}.{stage}.json")

    def staging(self, target: str, run_id: str) -> str:
        """A scratch folder beside `target` (same bucket, so a move is a rename)."""
        return f"{target}.__staging-{run_id}"
