"""A twin for the query-engine tests: alice and bob on AWS and Azure (real moto and Azurite),
with a small `daily_sales` table in each learner's gold, registered in their own catalog
(Glue on AWS, the serverless SQL catalog on Azure), and a copy of bob's gold in his local
mirror under the state folder, as `lakelab run` leaves it. No Spark: the rows are written with
pyarrow, so the fixture costs a few seconds."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "localcloud"))

from twin_harness import TwinEnv, make_env, purge

from lakelab.catalog import TableSpec
from lakelab.clouds import cloud_for
from lakelab.lake import lake_for
from lakelab.profile import LearnerProfile

STACKS = ("demo-alice-aws", "demo-alice-azure", "demo-bob-aws", "demo-bob-azure")
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


@pytest.fixture(scope="session")
def sql_twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlTwin]:
    from localcloud import twin

    env = make_env(tmp_path_factory.mktemp("sql-twin"), STACKS)
    data = daily_sales()
    try:
        with env.active():
            twin.up(stacks=list(STACKS))
            for stack in STACKS:
                lake = lake_for(stack)
                lake.put("gold", "daily_sales/part-0.parquet", data)
                spec = TableSpec(
                    database=lake.profile.database("gold"),
                    name="daily_sales",
                    location=lake.uri("gold", "daily_sales/"),
                    columns=[("order_date", "string"), ("region", "string"), ("revenue", "double")],
                )
                cloud_for(lake.cloud).register_tables(lake.profile, [spec])
        sql = SqlTwin(env)
        mirror = sql.mirror_file("demo-bob-aws")
        mirror.parent.mkdir(parents=True)
        mirror.write_bytes(data)
        yield sql
    finally:
        purge(env)
