"""The cost model: billing rules against hand-computed examples, the pricing catalog's
provenance, and estimates of the demo plans. Prices come from pricing/catalog.yaml; the plans
are offline (no cloud is reached)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from cohort_harness import run

from lakelab.blueprint import from_config
from lakelab.cost import model
from lakelab.cost.catalog import load_catalog
from lakelab.cost.estimate import Estimate, counterpart_config, estimate_plan, learner_estimate
from lakelab.cost.model import LineItem
from lakelab.errors import UserError
from lakelab.plan import plan_blueprint, plan_stack
from lakelab.stackfiles import load_blueprint, read_config

CATALOG = load_catalog()
APPROX = pytest.approx


# --- billing rules, by hand ------------------------------------------------------------------
def test_glue_jobs_bill_dpu_hours_with_a_one_minute_minimum() -> None:
    # 1 run x 3 stages x 2 G.1X workers (1 DPU each) x 3 min = 18 DPU-min = 0.3 DPU-h.
    assert model.glue_job_dpu_hours(1, 3, 2, 1.0, 3) == APPROX(0.3)
    # 20 s stages still bill a minute each: 3 x 2 x 1 x 1/60 = 0.1 DPU-h.
    assert model.glue_job_dpu_hours(1, 3, 2, 1.0, 20 / 60) == APPROX(0.1)
    # G.025X workers are a quarter DPU: 2 runs x 3 x 4 x 0.25 x 6/60 = 0.6.
    assert model.glue_job_dpu_hours(2, 3, 4, 0.25, 6) == APPROX(0.6)


def test_crawlers_bill_ten_minutes_at_least() -> None:
    assert model.crawler_dpu_hours(1, 2, 2) == APPROX(2 * 10 / 60)
    assert model.crawler_dpu_hours(3, 2, 15) == APPROX(3 * 2 * 15 / 60)
    assert model.crawler_dpu_hours(0, 2, 2) == 0


def test_scans_bill_ten_megabytes_per_query_at_least() -> None:
    # 20 queries x 50 MB = 1000 MB of 1,048,576 MB per TB.
    assert model.scanned_tb(20, 50, 10, 1_048_576) == APPROX(1000 / 1_048_576)
    # 100 tiny queries of 1 MB bill 10 MB each: 1000 MB.
    assert model.scanned_tb(100, 1, 10, 1_048_576) == APPROX(1000 / 1_048_576)
    assert model.scanned_tb(0, 50, 10, 1_048_576) == 0


def test_redshift_serverless_bills_base_rpu_while_active_sixty_seconds_at_least() -> None:
    assert model.rpu_hours(8, 10) == APPROX(8 * 10 / 60)  # 1.3333 RPU-h
    assert model.rpu_hours(8, 0.25) == APPROX(8 * 60 / 3600)  # 15 s bills 60 s
    assert model.rpu_hours(8, 0) == 0  # idle: nothing


def test_synapse_spark_bills_every_node_from_start_to_auto_pause() -> None:
    # 3 Small nodes x 4 vCores x (3 start + 9 busy + 15 pause) min = 12 x 27/60 = 5.4 vCore-h.
    assert model.spark_pool_vcore_hours(1, 3, 4, 9, 3, 15) == APPROX(5.4)
    assert model.spark_pool_vcore_hours(0, 3, 4, 9, 3, 15) == 0


def test_whole_hours_and_dedicated_pool_sizes() -> None:
    assert (
        model.whole_hours(0.2) == 1 and model.whole_hours(1.01) == 2 and model.whole_hours(0) == 0
    )
    assert model.dwu_multiple("DW100c") == 1 and model.dwu_multiple("DW1000c") == 10
    with pytest.raises(ValueError, match="not a Synapse dedicated pool SKU"):
        model.dwu_multiple("S1")


def test_idle_lab_hour_course_and_cost_to_date_totals() -> None:
    items = (
        LineItem("storage", "always", 10, "GB-month", 0.02, "p"),  # 0.20 a month
        LineItem("inactive pipeline", "idle", 1, "pipeline-month", 0.80, "p"),  # idle months only
        LineItem("compute", "lab", 2, "h", 0.50, "p"),  # 1.00 per lab hour
    )
    assert model.idle_per_month(items) == APPROX(1.00)
    assert model.per_lab_hour(items) == APPROX(1.00)
    course = model.course_cost(items, weeks=10, hours_per_week=4)
    # 10 weeks = 70 days = 70 / (365/12) months = 2.30137; 40 lab hours.
    assert course.months == APPROX(70 / (365 / 12))
    assert course.lab_hours == 40
    assert course.usd == APPROX(0.20 * 70 / (365 / 12) + 40 * 1.00)  # 40.46
    assert round(course.usd, 2) == 40.46
    # 14 days at 3 h a week: 0.20 x 14/30.4167 + 1.00 x 3 x 2 = 6.09.
    assert round(model.cost_to_date(items, 14, 3), 2) == 6.09
    # Lab work stops at expiry (7 of the 14 days), storage does not: 0.09 + 3.00.
    assert round(model.cost_to_date(items, 14, 3, lab_days=7), 2) == 3.09
    # A month of the course at 3 h a week: 0.20 + 1.00 x 3 x 30.4167/7 = 13.24.
    assert round(model.course_month(items, 3), 2) == 13.24


# --- the catalog -------------------------------------------------------------------------------
def test_every_price_has_a_date_and_a_vendor_source() -> None:
    assert CATALOG.prices, "the catalog lists prices"
    for price_id, price in CATALOG.prices.items():
        assert isinstance(price.as_of, date), price_id
        assert price.source.startswith(
            ("https://aws.amazon.com/", "https://azure.microsoft.com/")
        ), price_id
        assert price.unit and price.what, price_id
    for name, assumption in CATALOG.assumptions.items():
        assert assumption.what, name
    # The figures PLATFORM facts list, as recorded.
    assert CATALOG.usd("redshift_serverless_rpu_hour") == 0.375
    assert CATALOG.usd("glue_dpu_hour") == 0.44
    assert CATALOG.usd("athena_tb_scanned") == CATALOG.usd("synapse_serverless_tb_processed") == 5.0
    assert CATALOG.usd("synapse_dw100c_hour") == 1.20
    assert CATALOG.usd("synapse_spark_vcore_hour") == 0.143
    assert CATALOG.usd("adf_activity_run") == 0.001


def test_a_price_without_a_vendor_source_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (Path(__file__).resolve().parents[2] / "pricing" / "catalog.yaml").read_text()
    bad = tmp_path / "catalog.yaml"
    bad.write_text(
        text.replace("source: https://aws.amazon.com/s3/pricing/", "source: https://example.com/s3")
    )
    monkeypatch.setenv("LAKELAB_PRICING", str(bad))
    with pytest.raises(
        UserError, match=r"prices\.s3_standard_gb_month\.source: .*not a vendor pricing page"
    ):
        load_catalog()


# --- estimates of the demo plans ---------------------------------------------------------------
# By hand from the catalog: AWS idle = 5 GB x 0.023 + 1 GB x 0.024 = 0.139 a month.
# AWS lab hour = Glue 0.4 (4 jobs: 3 stages and dbt) x 0.44 + Athena 1000/1048576 x 5
#              + Redshift Serverless 4 x 10/60 x 0.375 = 0.176 + 0.00477 + 0.25 (no crawler).
AWS_IDLE = 5 * 0.023 + 1 * 0.024
AWS_HOUR = 0.4 * 0.44 + 1000 / 1_048_576 * 5 + 4 * 10 / 60 * 0.375
# Azure idle = 5 GB x 0.019 + 1 pipeline with no run x 0.80 = 0.895 a month.
# Azure lab hour = Spark 6.6 vCore-h x 0.143 + 5 activity runs x 0.001 + 2 x 1000 MB scanned;
# a run starts 5 Spark job activities (3 stages, catalog, dbt): 3 Small nodes x 4 vCores x
# (3 start + 5 x 3 busy + 15 pause) min = 12 x 33/60 = 6.6 vCore-h.
AZURE_IDLE = 5 * 0.019 + 0.80
AZURE_HOUR = 6.6 * 0.143 + 5 * 0.001 + 2 * 1000 / 1_048_576 * 5
COURSE_MONTHS = 8 * 7 / (365 / 12)


def test_demo_estimates_match_the_hand_computed_figures() -> None:
    le = learner_estimate("demo", "alice", CATALOG)
    assert le.rostered == ("aws", "azure")
    aws, azure = le.on("aws"), le.on("azure")
    assert aws.idle_per_month == APPROX(AWS_IDLE) and round(aws.idle_per_month, 2) == 0.14
    assert aws.per_lab_hour == APPROX(AWS_HOUR) and round(aws.per_lab_hour, 4) == 0.4308
    assert azure.idle_per_month == APPROX(AZURE_IDLE)
    assert azure.per_lab_hour == APPROX(AZURE_HOUR) and round(azure.per_lab_hour, 4) == 0.9583
    aws_course = aws.course(8, 6).usd
    azure_course = azure.course(8, 6).usd
    assert aws_course == APPROX(AWS_IDLE * COURSE_MONTHS + 48 * AWS_HOUR)
    # Azure's inactive-pipeline charge does not apply in course months: storage only.
    assert azure_course == APPROX(5 * 0.019 * COURSE_MONTHS + 48 * AZURE_HOUR)
    assert (round(aws_course, 2), round(azure_course, 2)) == (20.93, 46.18)
    # A course month: storage plus 6 h x (365/12)/7 weeks of lab hours, against the $40 budget.
    weeks_per_month = 365 / 12 / 7
    assert aws.course_month(6) == APPROX(AWS_IDLE + 6 * weeks_per_month * AWS_HOUR)
    assert (round(aws.course_month(6), 2), round(azure.course_month(6), 2)) == (11.37, 25.08)
    assert aws.resources == 69 and azure.resources == 31


def variant(stack: str, **changes: object) -> Estimate:
    config = read_config(stack)
    for key, value in changes.items():
        config[f"lakelab:{key}"] = value
    bp = from_config(config)
    return estimate_plan(plan_blueprint(bp, config), CATALOG)


def test_provisioned_warehouses() -> None:
    aws = variant("demo-alice-aws", warehouse={"mode": "provisioned"})
    # One ra3.large node, always on: 730 h x 0.543 = 396.39 a month, plus storage.
    assert aws.idle_per_month == APPROX(730 * 0.543 + AWS_IDLE)
    assert aws.per_lab_hour == APPROX(AWS_HOUR - 4 * 10 / 60 * 0.375)
    azure = variant("demo-alice-azure", warehouse={"mode": "provisioned"})
    # A paused DW100c pool: its storage only while idle; resumed for one billed hour per lab hour.
    # Its nightly pause: a trigger execution and an activity run a night, $0.001 each.
    assert azure.idle_per_month == APPROX(AZURE_IDLE + 1 * 0.023 + 2 * 365 / 12 * 0.001)
    expected_hour = 6.6 * 0.143 + 5 * 0.001 + 1000 / 1_048_576 * 5 + 1.20
    assert azure.per_lab_hour == APPROX(expected_hour)


def test_counterpart_of_a_single_cloud_learner() -> None:
    bp = load_blueprint("demo-alice-aws")
    config = counterpart_config(read_config("demo-alice-aws"), bp, "azure")
    assert config["lakelab:cloud"] == "azure"
    assert config["lakelab:region"] == config["azure-native:location"] == "eastus"
    assert "aws:region" not in config
    other = from_config(config)
    assert other.stack_name == "demo-alice-azure"
    assert estimate_plan(plan_stack("demo-alice-azure"), CATALOG).per_lab_hour == APPROX(
        estimate_plan(plan_blueprint(other, config), CATALOG).per_lab_hour
    )


def test_cost_cli_side_by_side_and_json() -> None:
    result = run("cost", "--stack", "demo-alice-aws", "--weeks", "10", "--hours-per-week", "4")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    per_hour = next(line for line in lines if "per lab hour" in line and "│" in line)
    assert "$0.43" in per_hour and per_hour.count("$") == 2
    assert "course per learner (10 weeks x 4 h = 40 lab hours)" in result.stdout
    assert "AWS line items: demo-alice-aws" in result.stdout
    assert "Redshift Serverless compute" in result.stdout and "4 RPU x 10 min" in result.stdout
    assert "priced at reference-region prices: demo-alice-azure (westeurope)" in result.stdout
    cohort = run("cost", "--cohort", "demo", "--json")
    assert cohort.returncode == 0, cohort.stderr
    doc = json.loads(cohort.stdout)
    assert [le["learner"] for le in doc["learners"]] == ["alice", "bob"]
    aws_course = AWS_IDLE * COURSE_MONTHS + 48 * AWS_HOUR
    assert doc["cohort_total"]["aws"] == APPROX(2 * aws_course, abs=1e-4)
    neither = run("cost")
    assert neither.returncode == 2
    assert neither.stderr == "error: name one stack with --stack, or a cohort with --cohort\n"
