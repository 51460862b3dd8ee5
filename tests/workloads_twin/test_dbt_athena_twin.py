"""The shared dbt project under the real dbt-athena adapter, on the AWS twin: real moto, real
local Spark, the twin's Athena (DuckDB) and the learner's own keys. Nothing is faked.

A batch is landed in alice's lake and Spark's medallion publishes gold; then `dbt build
--target athena` runs with the profile the Glue dbt job gets on AWS
(`lakelab.clouds.aws.dbt`), only the endpoint and keys being the twin's. dbt's daily_sales
must hold exactly Spark's rows. A second build replaces every table (CTAS, ALTER TABLE RENAME,
DROP) and merges into the incremental model and the snapshot (Iceberg MERGE).

The marts go to their own Glue database, `demo_alice_dbt`, and their files under `_dbt/` in
the gold bucket: both builds leave Spark's gold `daily_sales` (its Glue table and its objects)
as the medallion published it.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "localcloud"))
sys.path.insert(0, str(TESTS / "workloads_dbt"))

from dbt_harness import DBT_DIR, find_dbt  # noqa: E402
from twin_harness import TwinEnv, make_env, purge  # noqa: E402

from lakelab.clouds import cloud_for  # noqa: E402
from lakelab.clouds.aws.catalog import glue_client  # noqa: E402
from lakelab.clouds.aws.dbt import profile_athena_env  # noqa: E402
from lakelab.lake import lake_for, publish  # noqa: E402
from lakelab.twinrun import run_on_twin  # noqa: E402

pytestmark = pytest.mark.slow
STACK = "demo-alice-aws"
GOLD_DB = "demo_alice_gold"
DBT_DB = "demo_alice_dbt"
GOLD_BUCKET = "s3://ll-demo-alice-gold-f9ebc2/"
KEY = ("order_date", "product_id", "region")


def sorted_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in KEY))


def parquet_rows(stack: str, prefix: str) -> list[dict[str, Any]]:
    lake = lake_for(stack)
    keys = [k for k in lake.keys("gold", prefix) if k.endswith(".parquet")]
    return sorted_rows(
        [r for k in keys for r in pq.read_table(io.BytesIO(lake.get("gold", k))).to_pylist()]
    )


def spark_gold(stack: str) -> dict[str, Any]:
    """What the medallion published in gold: the Glue tables of the gold database (as Glue
    describes them, less its bookkeeping times) and every object outside dbt's `_dbt/`."""
    lake = lake_for(stack)
    glue = glue_client(lake.profile)
    tables = {
        t["Name"]: {k: v for k, v in t.items() if k not in ("CreateTime", "UpdateTime")}
        for t in glue.get_tables(DatabaseName=GOLD_DB)["TableList"]
    }
    objects = {k: etag for k, etag in lake.versions("gold").items() if not k.startswith("_dbt/")}
    return {"tables": tables, "objects": objects, "rows": parquet_rows(stack, "daily_sales/")}


def dbt_build(env: TwinEnv, work: Path) -> subprocess.CompletedProcess[str]:
    dbt = find_dbt()
    assert dbt is not None, "dbt is not installed (make setup installs .venv-dbt)"
    project = work / "dbt"
    if not project.exists():
        shutil.copytree(DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    with env.active():
        profile = lake_for(STACK).profile
        variables = {**cloud_for("aws").sdk_env(profile), **profile_athena_env(profile)}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAKELAB_"))}
    where = ["--project-dir", str(project), "--profiles-dir", str(project)]
    return subprocess.run(
        [dbt, "build", *where, "--target", "athena"],
        capture_output=True, text=True, env={**clean, **variables}, timeout=1200,
    )  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from lakelab_jobs.synthetic import SyntheticSpec, write_base

    from localcloud import twin

    root = tmp_path_factory.mktemp("dbt-athena-twin")
    env = make_env(root, (STACK, "demo-bob-aws"))
    landing = root / "landing"
    write_base(landing, SyntheticSpec(orders=600, seed=7))
    try:
        with env.active():
            twin.up(stacks=[STACK, "demo-bob-aws"])
            lake = lake_for(STACK)
            for entity in ("orders", "customers", "products"):
                publish(lake, landing / entity, "landing", entity)
            run_on_twin(STACK, mode="full", run_id="first", log=lambda _: None)
            before = spark_gold(STACK)
        first = dbt_build(env, root)
        with env.active():
            after_first = spark_gold(STACK)
            glue = glue_client(lake_for(STACK).profile)
            marts = {t["Name"]: t for t in glue.get_tables(DatabaseName=DBT_DB)["TableList"]}
            # Absent when the build went elsewhere: the tests below then say what is wrong.
            table = marts.get("daily_sales", {})
            location = table.get("StorageDescriptor", {}).get("Location", GOLD_BUCKET + "none/")
            dbt_gold = parquet_rows(STACK, location.removeprefix(GOLD_BUCKET))
        second = dbt_build(env, root)
        with env.active():
            after_second = spark_gold(STACK)
        yield {
            "env": env,
            "spark": before["rows"],
            "dbt": dbt_gold,
            "table": table,
            "first": first,
            "second": second,
            "gold": (before, after_first, after_second),
        }
    finally:
        purge(env)


def test_dbt_athena_builds_the_project_on_the_twin(built: dict[str, Any]) -> None:
    first = built["first"]
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    assert "Registered adapter: athena=1.11.1" in first.stdout
    assert "PASS=87 WARN=0 ERROR=0 SKIP=0" in first.stdout


def test_dbt_gold_equals_spark_gold(built: dict[str, Any]) -> None:
    spark, dbt = built["spark"], built["dbt"]
    assert len(spark) > 100
    assert dbt == spark


def test_spark_gold_is_untouched_by_both_builds(built: dict[str, Any]) -> None:
    before, after_first, after_second = built["gold"]
    # What the medallion published: one table, Spark's Parquet under `daily_sales/`.
    assert sorted(before["tables"]) == ["daily_sales"]
    table = before["tables"]["daily_sales"]
    assert table["StorageDescriptor"]["Location"] == f"{GOLD_BUCKET}daily_sales/"
    assert "table_type" not in table.get("Parameters", {})  # a Hive table, not dbt's Iceberg
    assert [k for k in before["objects"] if k.startswith("daily_sales/")] != []
    assert before["rows"] == built["spark"] and len(before["rows"]) > 100
    # Both builds leave it as it was: the Glue table, every object outside `_dbt/`, the rows.
    assert after_first == before
    assert after_second == before


def test_marts_are_iceberg_tables_in_the_learner_dbt_database(built: dict[str, Any]) -> None:
    table = built["table"]
    assert table.get("DatabaseName") == DBT_DB
    assert table["Parameters"]["table_type"] == "ICEBERG"
    assert table["StorageDescriptor"]["Location"].startswith(
        f"{GOLD_BUCKET}_dbt/demo_alice_dbt/daily_sales/"
    )
    env = built["env"]
    with env.active():
        glue = glue_client(lake_for(STACK).profile)
        tables = {
            t["Name"]: t["TableType"] for t in glue.get_tables(DatabaseName=DBT_DB)["TableList"]
        }
    assert tables == {
        "customer_orders": "EXTERNAL_TABLE",
        "customers_snapshot": "EXTERNAL_TABLE",
        "daily_sales": "EXTERNAL_TABLE",
        "dim_customers": "EXTERNAL_TABLE",
        "dim_products": "EXTERNAL_TABLE",
        "fct_orders": "EXTERNAL_TABLE",
        "stg_customers": "VIRTUAL_VIEW",
        "stg_orders": "VIRTUAL_VIEW",
        "stg_products": "VIRTUAL_VIEW",
    }


def test_a_second_build_replaces_and_merges(built: dict[str, Any]) -> None:
    second = built["second"]
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-2000:]
    assert "PASS=87 WARN=0 ERROR=0 SKIP=0" in second.stdout
    env = built["env"]
    with env.active():
        glue = glue_client(lake_for(STACK).profile)
        table = glue.get_table(DatabaseName=DBT_DB, Name="daily_sales")["Table"]
        names = {t["Name"] for t in glue.get_tables(DatabaseName=DBT_DB)["TableList"]}
        location = table["StorageDescriptor"]["Location"]
        again = parquet_rows(STACK, location.removeprefix(GOLD_BUCKET))
        old = built["table"]["StorageDescriptor"]["Location"].removeprefix(GOLD_BUCKET)
        left = lake_for(STACK).keys("gold", old)
    # A new location (schema_table_unique), the old one's data gone, no `__ha`/`__bkp` left.
    assert location != built["table"]["StorageDescriptor"]["Location"]
    assert left == []
    assert not [n for n in names if "__" in n]
    assert again == built["spark"]
