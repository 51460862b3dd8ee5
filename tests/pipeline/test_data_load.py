"""`lakelab data load` on the real twin (moto and Azurite): a day of the shared workload's
synthetic sources lands in the learner's own landing layer, the same bytes for the same seed;
a run over an empty landing stops before Spark starts and names the command that fills it."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from lab_harness import lakelab
from pipeline_harness import cli, wipe
from twin_harness import TwinEnv

from lakelab.lake import lake_for
from lakelab.pipeline.sources import day_files

DAY = date(2026, 3, 2)


def test_load_lands_one_batch_per_entity_with_exact_rows(pipe_env: TwinEnv) -> None:
    wipe("demo-alice-aws", "landing")
    result = lakelab(
        "data", "load", "--stack", "demo-alice-aws", "--rows", "300", "--date", "2026-03-02",
        "--seed", "7",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lake = lake_for("demo-alice-aws")
    assert lake.keys("landing") == [
        "customers/2026-03-02.csv",
        "orders/2026-03-02.csv",
        "products/2026-03-02.csv",
    ]
    orders = list(csv.reader(io.StringIO(lake.get("landing", "orders/2026-03-02.csv").decode())))
    # 300 orders plus round(300 * 0.002) = 1 duplicate; 50 customers (at least 50); 500 products.
    assert len(orders) - 1 == 301
    assert lake.get("landing", "customers/2026-03-02.csv").count(b"\n") - 1 == 50
    assert lake.get("landing", "products/2026-03-02.csv").count(b"\n") - 1 == 500
    assert orders[0][:3] == ["order_id", "customer_id", "product_id"]
    ids = {row[0] for row in orders[1:]}
    assert len(ids) == 300 and all(i.startswith("O20260302-") for i in ids)
    # Every order is placed that day (one injected problem writes 30 February).
    assert {row[8][:10] for row in orders[1:]} == {"2026-03-02"}
    assert "301 rows" in result.output and "landed batch 2026-03-02" in result.output
    # Only alice's lake changed.
    assert lake_for("demo-bob-aws").keys("landing") == []


def test_same_seed_same_bytes_on_both_clouds(pipe_env: TwinEnv) -> None:
    for stack in ("demo-alice-aws", "demo-alice-azure"):
        wipe(stack, "landing")
        args = ("--stack", stack, "--rows", "120", "--date", "2026-03-03", "--seed", "3")
        assert lakelab("data", "load", *args).exit_code == 0
    aws, azure = lake_for("demo-alice-aws"), lake_for("demo-alice-azure")
    expected = day_files(date(2026, 3, 3), rows=120, seed=3)
    for key, data in expected.items():
        assert aws.get("landing", key) == data
        assert azure.get("landing", key) == data
    other = day_files(date(2026, 3, 3), rows=120, seed=4)
    assert other["orders/2026-03-03.csv"] != expected["orders/2026-03-03.csv"]
    next_day = day_files(date(2026, 3, 4), rows=120, seed=3)
    assert next_day["orders/2026-03-04.csv"] != expected["orders/2026-03-03.csv"]


def test_run_over_empty_landing_names_the_command_before_spark(
    pipe_env: TwinEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    wipe("demo-bob-aws", "landing")
    code, out, err = cli(capsys, "run", "--stack", "demo-bob-aws")
    assert (code, out) == (2, "")
    assert err == (
        "error: the landing layer of demo-bob-aws is empty: load sample data with"
        " `lakelab data load --stack demo-bob-aws` (or land your own CSVs), then run again\n"
    )
    assert not (pipe_env.state / "runs" / "demo-bob-aws" / "spark.log").exists()


def test_bad_input_is_one_error_line(pipe_env: TwinEnv, capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        ("--date", "2026-13-01"): "error: --date must be a date like 2026-03-02, not '2026-13-01'",
        ("--rows", "0"): "error: --rows must be between 1 and 5,000,000, not 0",
        ("--seed", "-1"): "error: --seed must be 0 or more, not -1",
    }
    for args, message in cases.items():
        code, out, err = cli(capsys, "data", "load", "--stack", "demo-bob-aws", *args)
        assert (code, out, err) == (2, "", message + "\n")
    assert lake_for("demo-bob-aws").keys("landing") == []
