"""What the SQL tests share: the sample gold table and the twin they query."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from twin_harness import TwinEnv

from lakelab.lake import lake_for
from lakelab.profile import LearnerProfile

ROWS = [
    ("2025-01-01", "north", 10.5),
    ("2025-01-01", "south", 4.0),
    ("2025-01-02", "north", 7.25),
    ("2025-01-02", "east", 1.0),
    ("2025-01-03", "west", 3.0),
    ("2025-01-03", "south", 9.0),
]


def daily_sales() -> bytes:
    table = pa.table(
        {
            "order_date": [r[0] for r in ROWS],
            "region": [r[1] for r in ROWS],
            "revenue": [r[2] for r in ROWS],
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


@dataclass
class SqlTwin:
    env: TwinEnv

    def profile(self, stack: str) -> LearnerProfile:
        with self.env.active():
            return lake_for(stack).profile

    def mirror_file(self, stack: str) -> Path:
        return self.env.state / "runs" / stack / "lake" / "gold" / "daily_sales" / "part-0.parquet"
