"""The twin's Athena runs the learner's SQL: real moto server, real DuckDB engine, the learner's
own keys through boto3, as PyAthena or awswrangler would call it. Nothing is faked."""

from __future__ import annotations

from typing import Any

import pytest
from athena_harness import put_sales, run_query
from twin_harness import TwinEnv

from localcloud import twin
from localcloud.aws.athena_engine import CUTOFF_REASON

ALICE, BOB = "demo-alice-aws", "demo-bob-aws"
SQL = (
    "select region, sum(revenue) as revenue from demo_alice_gold.daily_sales"
    " group by region order by region"
)


@pytest.fixture
def lakes(fresh: TwinEnv) -> TwinEnv:
    twin.up([ALICE, BOB], spark=False)
    rows = [("north", "1.50"), ("south", "2.00"), ("north", "2.50"), (None, "9.00")]
    put_sales(twin.profile_of(ALICE), "gold", "daily_sales", rows)
    return fresh


def run(athena: Any, sql: str, workgroup: str = "demo_alice_wg") -> dict[str, Any]:
    return run_query(athena, sql, workgroup)


def rows_of(page: dict[str, Any]) -> list[list[str | None]]:
    return [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]


def test_a_query_runs_and_its_rows_come_back(lakes: TwinEnv) -> None:
    athena = lakes.learner(ALICE).client("athena")
    execution = run(athena, SQL)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert execution["Statistics"]["DataScannedInBytes"] > 0
    page = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    assert rows_of(page) == [
        ["region", "revenue"],
        ["north", "4.00"],
        ["south", "2.00"],
        [None, "9.00"],
    ]
    info = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert [(c["Name"], c["Type"]) for c in info] == [("region", "varchar"), ("revenue", "decimal")]

    # The result file, as Athena writes it, in the workgroup's result location.
    location = execution["ResultConfiguration"]["OutputLocation"]
    bucket, _, key = location.removeprefix("s3://").partition("/")
    assert bucket.startswith("ll-demo-alice-query-results-") and key.endswith(".csv")
    body = lakes.learner(ALICE).client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    assert body == b'"region","revenue"\n"north","4.00"\n"south","2.00"\n"","9.00"\n'


def test_results_page_as_athena_pages_them(lakes: TwinEnv) -> None:
    athena = lakes.learner(ALICE).client("athena")
    query_id = run(athena, SQL)["QueryExecutionId"]
    first = athena.get_query_results(QueryExecutionId=query_id, MaxResults=2)
    second = athena.get_query_results(
        QueryExecutionId=query_id, MaxResults=2, NextToken=first["NextToken"]
    )
    assert rows_of(first) == [["region", "revenue"], ["north", "4.00"]]
    assert rows_of(second) == [["south", "2.00"], [None, "9.00"]]
    assert "NextToken" not in second
    paged = [
        row
        for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
        for row in rows_of(page)
    ]
    assert len(paged) == 4


def test_a_bad_query_fails_with_its_reason(lakes: TwinEnv) -> None:
    athena = lakes.learner(ALICE).client("athena")
    missing = run(athena, "select * from demo_alice_gold.nope")
    assert missing["Status"]["State"] == "FAILED"
    assert "nope" in missing["Status"]["StateChangeReason"]
    refused = run(athena, "msck repair table demo_alice_gold.daily_sales")
    assert refused["Status"]["State"] == "FAILED"
    assert refused["Status"]["StateChangeReason"] == (
        "refused: MSCK statements are not emulated by the twin's Athena"
    )
    with pytest.raises(athena.exceptions.InvalidRequestException):
        athena.get_query_results(QueryExecutionId=missing["QueryExecutionId"])


def test_another_learners_lake_stays_out_of_reach(lakes: TwinEnv) -> None:
    bob = lakes.learner(BOB).client("athena")
    stolen = run(bob, SQL, workgroup="demo_bob_wg")
    assert stolen["Status"]["State"] == "FAILED"
    # Nor may bob run queries in alice's workgroup at all.
    with pytest.raises(bob.exceptions.ClientError) as refused:
        bob.start_query_execution(QueryString="select 1", WorkGroup="demo_alice_wg")
    assert "AccessDenied" in str(refused.value)


def test_the_workgroup_scan_cutoff_cancels_a_query(lakes: TwinEnv) -> None:
    """(A cutoff under the API's 10 MB minimum, set without botocore's client-side check, so a
    few hundred bytes exceed it.)"""
    import boto3
    from botocore.config import Config

    keys = lakes.admin()
    admin = boto3.client(
        "athena", endpoint_url=keys.endpoint, region_name="us-east-1",
        aws_access_key_id=keys.access_key_id, aws_secret_access_key=keys.secret_access_key,
        config=Config(parameter_validation=False),
    )  # fmt: skip
    group = admin.get_work_group(WorkGroup="demo_alice_wg")["WorkGroup"]
    admin.delete_work_group(WorkGroup="demo_alice_wg", RecursiveDeleteOption=True)
    admin.create_work_group(
        Name="demo_alice_wg",
        Configuration={**group["Configuration"], "BytesScannedCutoffPerQuery": 10},
    )
    execution = run(lakes.learner(ALICE).client("athena"), SQL)
    assert execution["Status"]["State"] == "FAILED"
    assert execution["Status"]["StateChangeReason"] == CUTOFF_REASON
