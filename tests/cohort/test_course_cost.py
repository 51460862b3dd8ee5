"""Course plans: validation, and the reference course priced from its offline plans.

The plans come from the real program under Pulumi's mock runtime (no engine can run here);
the prices from pricing/catalog.yaml. `lakelab cost --course` runs as a user runs it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from cohort_harness import run

from lakelab.cost.catalog import load_catalog
from lakelab.cost.course import load_course, parse_course
from lakelab.cost.course_estimate import idle_months, price_course, reference_plan
from lakelab.errors import UserError

APPROX = pytest.approx
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "courses" / "integrated-12-week.yaml"
CRAWLER = "aws:glue/crawler:Crawler"

# --- the reference course, by hand ----------------------------------------------------------
# Cloud sessions (usage per learner): week 5 medallion 3 runs + 20 queries; week 6 warehouse
# 10 queries + 30 warehouse queries + 20 warehouse minutes; week 9 ingestion 1 run + 10
# queries; week 10 orchestration 4 runs + 10 queries; week 12 capstone 3 runs + 30 queries +
# 30 warehouse queries + 20 warehouse minutes. So 11 runs, 80 ad-hoc queries, 60 warehouse
# queries, 40 warehouse minutes. Labs stand weeks 5-12: 56 days = 56 / (365/12) months.
MONTHS = 56 / (365 / 12)  # 1.841096
# AWS, lab settings FLEX / 2 x G.1X / 4 RPU:
#   S3 5 GB x $0.023 x 1.841096 = $0.211726; Redshift storage 1 GB x $0.024 x 1.841096 = $0.044186
#   Glue Flex 11 runs x 4 jobs (3 stages and dbt) x 2 DPU x 3/60 h = 4.4 DPU-h x $0.29 = $1.276
#   Athena 80 x 50 MB = 4000 MB / 1048576 x $5 = $0.019073
#   Redshift Serverless 2 x 4 RPU x 20/60 h = 2.6667 RPU-h x $0.375 = $1.00
#   = $2.550986 without a crawler; a crawler over bronze adds per run 2 DPU x its 10-minute
#   minimum: 11 x 2 x 10/60 = 3.6667 DPU-h x $0.44 = $1.613333, so $4.164319 with one.
AWS_NO_CRAWLER = 5 * 0.023 * MONTHS + 1 * 0.024 * MONTHS + 4.4 * 0.29 + 4000 / 1048576 * 5 + 1.0
AWS_CRAWLER = 11 * 2 * 10 / 60 * 0.44
# Azure, 3 Small nodes (4 vCores), auto-pause 5 min, start-up 3 min, one pool start a session:
#   ADLS 5 GB x $0.019 x 1.841096 = $0.174904
#   Spark, a run being 5 jobs (3 stages, catalog, dbt) x 3 min:
#     (3 + 45 + 5) + (3 + 15 + 5) + (3 + 60 + 5) + (3 + 45 + 5) = 197 min x 12 vCores
#     = 39.4 vCore-h x $0.143 = $5.6342
#   Data Factory 11 runs x 5 activities = 55 x $0.001 = $0.055
#   serverless SQL 80 x 50 MB + 60 x 100 MB = 10000 MB / 1048576 x $5 = $0.047684
#   = $5.911788
AZURE = 5 * 0.019 * MONTHS + 39.4 * 0.143 + 55 * 0.001 + 10000 / 1048576 * 5
# Idle: AWS 5 x $0.023 + 1 x $0.024 = $0.139; Azure 5 x $0.019 + 1 idle pipeline x $0.80 = $0.895.


@pytest.fixture(scope="module")
def reference() -> dict[str, object]:
    cat = load_catalog()
    course = load_course(REFERENCE)
    return {
        "cat": cat,
        "course": course,
        **{c: reference_plan(course, c, cat) for c in ("aws", "azure")},
    }


def test_reference_course_totals_match_the_hand_computed_figures(reference: dict) -> None:
    cat, course = reference["cat"], reference["course"]
    aws = price_course(course, reference["aws"], cat)
    azure = price_course(course, reference["azure"], cat)
    crawler = AWS_CRAWLER if reference["aws"].of_type(CRAWLER) else 0.0
    assert aws.usd == APPROX(AWS_NO_CRAWLER + crawler, abs=1e-6)
    assert azure.usd == APPROX(AZURE, abs=1e-6)
    assert aws.usd <= 15.0 and azure.usd <= 15.0
    assert aws.idle_per_month == APPROX(0.139) and azure.idle_per_month == APPROX(0.895)
    assert aws.stands == azure.stands == (5, 12) and aws.idle_months == azure.idle_months == 0
    assert aws.by_service()["Glue jobs"] == APPROX(4.4 * 0.29)
    assert aws.by_service()["Redshift Serverless compute"] == APPROX(1.0)
    assert azure.by_service()["Synapse Spark pool"] == APPROX(39.4 * 0.143)


def test_without_a_crawler_the_aws_course_drops_its_line(reference: dict) -> None:
    """The program's crawler is priced only while the plan declares one."""
    plan = reference["aws"]
    bare = dataclasses.replace(plan, resources=[r for r in plan.resources if r.type != CRAWLER])
    aws = price_course(reference["course"], bare, reference["cat"])
    assert aws.usd == APPROX(AWS_NO_CRAWLER, abs=1e-6)
    assert "Glue crawler" not in aws.by_service()


def test_the_lab_settings_are_what_the_plan_prices(reference: dict) -> None:
    ci_aws = reference["aws"].outputs["cost_inputs"]
    ci_azure = reference["azure"].outputs["cost_inputs"]
    assert ci_aws["glue_execution_class"] == "FLEX"
    assert ci_aws["redshift_base_rpu"] == 4
    assert ci_azure["spark_auto_pause_minutes"] == 5
    jobs = reference["aws"].of_type("aws:glue/job:Job")
    assert {j.inputs["executionClass"] for j in jobs} == {"FLEX"}


def test_cli_prints_per_learner_and_cohort_with_every_price_source() -> None:
    result = run("cost", "--course", str(REFERENCE), "--learners", "30")
    assert result.returncode == 0, result.stderr
    summary = next(line for line in result.stdout.splitlines() if "course per learner" in line)
    assert summary.count("$") == 2
    assert "course per cohort (30 learners)" in result.stdout
    assert (
        "glue_flex_dpu_hour" in result.stdout
        and "https://aws.amazon.com/glue/pricing/" in result.stdout
    )
    assert "4 RPU x max(20 min, 60 s)" in result.stdout
    doc = json.loads(run("cost", "--course", str(REFERENCE), "--learners", "30", "--json").stdout)
    assert doc["per_learner"]["azure"] == APPROX(AZURE, abs=1e-5)
    assert doc["per_cohort"]["azure"] == APPROX(30 * AZURE, abs=1e-3)
    assert doc["idle_per_month_per_learner"] == {"aws": 0.139, "azure": 0.895}
    cat = load_catalog()
    for learner in doc["by_learner"].values():
        for cloud in learner.values():
            lines = cloud["standing"] + [i for s in cloud["sessions"] for i in s["items"]]
            assert lines and all(i["price"] in doc["prices"] for i in lines)
            assert all(i["unit_usd"] == cat.usd(i["price"]) for i in lines)


def test_cli_refuses_mixed_options(tmp_path: Path) -> None:
    both = run("cost", "--course", str(REFERENCE), "--cohort", "demo", "--learners", "3")
    assert both.returncode == 2
    assert both.stderr == (
        "error: name a cohort with --cohort or a head count with --learners, not both\n"
    )
    alone = run("cost", "--cohort", "demo", "--learners", "3")
    assert alone.stderr == "error: --learners goes with --course\n"
    missing = run("cost", "--course", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and missing.stderr.startswith("error: no course plan at ")


GOOD = {
    "schema": "lakelab.course/v1",
    "course": "mini",
    "title": "Mini",
    "weeks": 2,
    "sessions": [{"week": 1, "hours": 2, "lab": "medallion", "where": "both"}],
}


def test_a_bad_course_plan_names_each_bad_line() -> None:
    doc = {
        **GOOD,
        "sessions": [
            {"week": 3, "hours": 2, "lab": "medalion", "where": "both"},
            {"week": 1, "hours": 0, "lab": "medallion", "where": "gcp"},
            {"week": 1, "hours": 1, "lab": "medallion", "where": "twin", "usage": {"queries": 5}},
            {"week": 1, "hours": 1, "lab": "medallion", "where": "aws", "usage": {"querys": 5}},
        ],
    }
    with pytest.raises(UserError) as bad:
        parse_course(doc, "c.yaml", labs={"medallion"})
    assert str(bad.value).splitlines() == [
        "c.yaml:",
        "sessions[1].hours: Input should be greater than 0",
        "sessions[1].where: Input should be 'twin', 'aws', 'azure' or 'both'",
        "sessions[3].usage.querys: is not a course plan setting (check the spelling)",
    ]
    doc["sessions"] = doc["sessions"][:1] + doc["sessions"][2:3]
    with pytest.raises(UserError) as semantic:
        parse_course(doc, "c.yaml", labs={"medallion"})
    assert str(semantic.value).splitlines() == [
        "c.yaml:",
        "sessions[0].week: week 3 is after the course's 2",
        "sessions[0].lab: unknown lab 'medalion'; labs: medallion",
        "sessions[1].usage: a twin session uses no cloud; drop its usage",
    ]


def test_bad_lab_settings_are_named_in_the_course_plan(tmp_path: Path) -> None:
    course = parse_course(
        {**GOOD, "lab_settings": {"spark": {"autoPauseMinutes": 2}}}, "c.yaml", {"medallion"}
    )
    with pytest.raises(UserError, match=r"^lab_settings\.spark\.autoPauseMinutes: "):
        reference_plan(course, "azure", load_catalog())
    flex = parse_course(
        {
            **GOOD,
            "lab_settings": {"spark": {"glueExecutionClass": "FLEX", "glueWorkerType": "G.4X"}},
        },
        "c.yaml",
        {"medallion"},
    )
    with pytest.raises(UserError, match=r"FLEX runs on G\.1X or G\.2X workers, not G\.4X"):
        reference_plan(flex, "aws", load_catalog())


def test_idle_months_count_months_of_the_stand_without_a_session() -> None:
    """Weeks 1 and 12 on AWS: 84 days stand = 3 months (of 30.42 days); sessions fall in the
    first (day 0) and third (day 77); the second month pays idle-only charges."""
    course = parse_course(
        {
            **GOOD,
            "weeks": 12,
            "sessions": [
                {"week": 1, "hours": 1, "lab": "medallion", "where": "aws"},
                {"week": 12, "hours": 1, "lab": "medallion", "where": "aws"},
            ],
        },
        "c.yaml",
        {"medallion"},
    )
    assert idle_months(course, "aws") == 1
    assert idle_months(course, "azure") == 0 and course.stands_weeks("azure") is None


def test_lakelab_sql_bills_ten_megabytes_a_query_on_both_engines() -> None:
    """98.6 KB read bills 10 MB on Synapse serverless as on Athena: 10 / 1048576 TB x $5."""
    from lakelab.sql import SqlResult

    for engine in ("athena", "synapse-serverless"):
        result = SqlResult([], [], bytes_scanned=100_966, files_read=1, engine=engine)
        assert result.billed_bytes == 10 * 1024 * 1024
        assert result.cost_usd == APPROX(10 / 1_048_576 * 5.0, rel=1e-12)
    # Above the minimum, bytes round up to the next MB: 11 MB + 1 byte bills 12 MB.
    big = SqlResult([], [], bytes_scanned=11 * 1024 * 1024 + 1, files_read=1, engine="athena")
    assert big.billed_bytes == 12 * 1024 * 1024
