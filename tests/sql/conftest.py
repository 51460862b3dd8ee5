"""A twin for the query-engine tests: alice and bob on AWS and Azure (real moto and Azurite),
with a small `daily_sales` table in each learner's gold, registered in their own catalog
(Glue on AWS, the serverless SQL catalog on Azure), and a copy of bob's gold in his local
mirror under the state folder, as `lakelab run` leaves it. No Spark: the rows are written with
pyarrow, so the fixture costs a few seconds."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "localcloud"))

from sql_harness import SqlTwin, daily_sales
from twin_harness import make_env, purge

from lakelab.catalog import TableSpec
from lakelab.clouds import cloud_for
from lakelab.lake import lake_for

STACKS = ("demo-alice-aws", "demo-alice-azure", "demo-bob-aws", "demo-bob-azure")


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
