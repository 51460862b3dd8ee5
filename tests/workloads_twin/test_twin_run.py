"""The shared workload on the local twin: real moto and Azurite, real local Spark, real DuckDB.

One synthetic batch is landed in alice's lake on both clouds; the run must publish the same
gold to both, register the tables in the catalog (Glue on the AWS twin, the serverless SQL
catalog on the Azure twin), answer `lakelab sql` from there with the bytes it read, and touch
nothing on a rerun with no new data.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "localcloud"))

from twin_harness import TwinEnv, make_env, purge

from lakelab.clouds.aws.catalog import glue_client
from lakelab.lake import lake_for, publish
from lakelab.sql import query
from lakelab.twinrun import TwinRun, run_on_twin

STACKS = ("demo-alice-aws", "demo-alice-azure")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def twin_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TwinEnv, dict[str, TwinRun]]]:
    from lakelab_jobs.synthetic import SyntheticSpec, write_base

    from localcloud import twin

    root = tmp_path_factory.mktemp("twin-run")
    env = make_env(root, STACKS)
    landing = root / "landing"
    write_base(landing, SyntheticSpec(orders=2000, seed=11))
    try:
        with env.active():
            twin.up(stacks=list(STACKS))
            runs = {}
            for stack in STACKS:
                lake = lake_for(stack)
                for entity in ("orders", "customers", "products"):
                    publish(lake, landing / entity, "landing", entity)
                runs[stack] = run_on_twin(
                    stack, mode="full", run_id=f"first-{stack}", log=lambda _: None
                )
            yield env, runs
    finally:
        purge(env)


def gold_rows(stack: str) -> list[dict[str, object]]:
    lake = lake_for(stack)
    keys = [k for k in lake.keys("gold", "daily_sales/") if k.endswith(".parquet")]
    tables = [pq.read_table(io.BytesIO(lake.get("gold", k))) for k in keys]
    rows = [r for t in tables for r in t.to_pylist()]
    return sorted(
        rows, key=lambda r: (str(r["order_date"]), str(r["product_id"]), str(r["region"]))
    )


def test_both_clouds_publish_the_same_gold(twin_runs: tuple[TwinEnv, dict[str, TwinRun]]) -> None:
    env, runs = twin_runs
    with env.active():
        aws, azure = gold_rows("demo-alice-aws"), gold_rows("demo-alice-azure")
    assert len(aws) > 100
    assert aws == azure
    for stack, run in runs.items():
        stages = [m["stage"] for m in run.manifests]
        assert stages == ["bronze", "silver", "gold"], stack
        assert run.pushed > 0 and run.tables == 7


def test_every_layer_is_published(twin_runs: tuple[TwinEnv, dict[str, TwinRun]]) -> None:
    env, _ = twin_runs
    with env.active():
        for stack in STACKS:
            lake = lake_for(stack)
            tops = {
                layer: sorted({k.split("/")[0] for k in lake.keys(layer)})
                for layer in ("bronze", "silver", "gold")
            }
            assert tops == {
                "bronze": ["customers", "orders", "products"],
                "silver": ["customers", "orders", "products"],
                "gold": ["daily_sales"],
            }, stack


def test_glue_catalog_has_tables_and_partitions(
    twin_runs: tuple[TwinEnv, dict[str, TwinRun]],
) -> None:
    env, _ = twin_runs
    with env.active():
        lake = lake_for("demo-alice-aws")
        glue = glue_client(lake.profile)
        tables = {
            t["Name"]: t for t in glue.get_tables(DatabaseName="demo_alice_bronze")["TableList"]
        }
        assert sorted(tables) == ["customers", "orders", "products"]
        orders = tables["orders"]
        assert [k["Name"] for k in orders["PartitionKeys"]] == ["batch"]
        assert orders["StorageDescriptor"]["Location"] == "s3://ll-demo-alice-bronze-f9ebc2/orders/"
        parts = glue.get_partitions(DatabaseName="demo_alice_bronze", TableName="orders")[
            "Partitions"
        ]
        assert [p["Values"] for p in parts] == [["batch-0001"]]
        silver = glue.get_table(DatabaseName="demo_alice_silver", Name="orders")["Table"]
        columns = {c["Name"]: c["Type"] for c in silver["StorageDescriptor"]["Columns"]}
        assert columns["amount"] == "decimal(14,2)" and columns["order_ts"] == "timestamp"


def test_sql_answers_from_the_catalog_on_both_clouds(
    twin_runs: tuple[TwinEnv, dict[str, TwinRun]],
) -> None:
    env, _ = twin_runs
    with env.active():
        expected = len(gold_rows("demo-alice-aws"))
        for stack in STACKS:
            profile = lake_for(stack).profile
            result = query(profile, "select count(*) as n from daily_sales")
            assert result.rows == [(expected,)], stack
            assert result.bytes_scanned > 0 and result.files_read == 1
            qualified = query(profile, "select count(*) from demo_alice_silver.orders")
            assert qualified.rows[0][0] == runs_silver_rows(stack)


def runs_silver_rows(stack: str) -> int:
    lake = lake_for(stack)
    keys = [k for k in lake.keys("silver", "orders/") if k.endswith(".parquet")]
    return sum(pq.read_metadata(io.BytesIO(lake.get("silver", k))).num_rows for k in keys)


def test_rerun_without_new_data_changes_nothing(
    twin_runs: tuple[TwinEnv, dict[str, TwinRun]],
) -> None:
    env, _ = twin_runs
    with env.active():
        before = gold_rows("demo-alice-azure")
        again = run_on_twin(
            "demo-alice-azure", mode="incremental", run_id="second", log=lambda _: None
        )
        assert again.pulled == 0
        assert again.deleted == 0
        assert gold_rows("demo-alice-azure") == before


ORDERS_HEADER = (
    "order_id,customer_id,product_id,channel,region,quantity,unit_price,status,order_ts,updated_at"
)


def new_orders(prefix: str, day: str) -> bytes:
    """Orders whose keys no batch has used: the normal daily feed."""
    lines = [
        f"{prefix}{i},C0000001,P00001,web,north,{i},2.50,placed,{day} 0{i}:00:00,{day} 0{i}:30:00"
        for i in range(1, 4)
    ]
    return ("\n".join([ORDERS_HEADER, *lines]) + "\n").encode()


def test_a_batch_of_only_new_orders_merges_on_both_clouds(
    twin_runs: tuple[TwinEnv, dict[str, TwinRun]],
) -> None:
    env, _ = twin_runs
    with env.active():
        for stack in STACKS:
            lake = lake_for(stack)
            before = runs_silver_rows(stack)
            lake.put("landing", "orders/batch-0003.csv", new_orders("NEW", "2025-03-01"))
            result = run_on_twin(stack, run_id="new-keys", log=lambda _: None)
            silver = next(m for m in result.manifests if m["stage"] == "silver")
            orders = silver["tables"]["orders"]
            assert (orders["inserted"], orders["updated"], orders["files_replaced"]) == (3, 0, 0)
            assert runs_silver_rows(stack) == before + 3, stack
            new_day = [r for r in gold_rows(stack) if str(r["order_date"]) == "2025-03-01"]
            assert [(r["orders"], r["units"], str(r["revenue"])) for r in new_day] == [
                (3, 6, "15.00")
            ], stack
            # And the lake is not left broken: the next run works and finds nothing to do.
            again = run_on_twin(stack, run_id="new-keys-again", log=lambda _: None)
            assert again.pulled == 0
            assert runs_silver_rows(stack) == before + 3, stack


def test_a_bad_header_is_one_line_naming_the_file(
    twin_runs: tuple[TwinEnv, dict[str, TwinRun]],
) -> None:
    from lakelab.errors import UserError

    env, _ = twin_runs
    with env.active():
        for stack in STACKS:
            lake = lake_for(stack)
            bronze_before = sorted(lake.keys("bronze"))
            bad = ORDERS_HEADER.replace("customer_id", "customer") + "\n"
            lake.put("landing", "orders/batch-0004.csv", bad.encode())
            with pytest.raises(UserError) as failure:
                run_on_twin(stack, run_id="bad-header", log=lambda _: None)
            message = str(failure.value)
            assert "\n" not in message
            assert f"{lake.uri('landing')}orders/batch-0004.csv: line 1:" in message
            assert "column 2 is 'customer', expected 'customer_id'" in message
            log = Path(message.split("(details: ")[1].split(";")[0])
            assert "LandingError" in log.read_text()
            assert sorted(lake.keys("bronze")) == bronze_before
            lake.delete("landing", ["orders/batch-0004.csv"])


def test_a_run_that_fails_after_bronze_leaves_the_lake_runnable(
    twin_runs: tuple[TwinEnv, dict[str, TwinRun]],
) -> None:
    """Silver fails (a learner overwrote a silver file) after bronze wrote the new batch to
    the mirror; nothing is pushed, and once the file is restored the next run ingests and
    merges the batch as if the failure had never happened."""
    from lakelab.errors import UserError

    env, _ = twin_runs
    with env.active():
        for stack in STACKS:
            lake = lake_for(stack)
            before = runs_silver_rows(stack)
            victim = sorted(k for k in lake.keys("silver", "orders/") if k.endswith(".parquet"))[0]
            good = lake.get("silver", victim)
            lake.put("silver", victim, b"not parquet")
            lake.put("landing", "orders/batch-0005.csv", new_orders("LATE", "2025-03-02"))
            with pytest.raises(UserError, match=r"the run on .* failed: "):
                run_on_twin(stack, run_id="broken", log=lambda _: None)
            assert not [k for k in lake.keys("bronze") if "batch-0005" in k], stack

            lake.put("silver", victim, good)
            result = run_on_twin(stack, run_id="recovered", log=lambda _: None)
            bronze = next(m for m in result.manifests if m["stage"] == "bronze")
            assert bronze["tables"]["orders"]["batches"] == ["batch-0005"], stack
            assert runs_silver_rows(stack) == before + 3, stack
