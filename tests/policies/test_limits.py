"""Values a cloud would refuse are refused when the stack config is read: one message naming
the key and the documented limit. Costly but valid values load (the policies stop them)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lakelab.blueprint import BlueprintError, from_config

TODAY = date(2026, 11, 22)
GOOD: dict[str, Any] = {
    "lakelab:cohort": "demo",
    "lakelab:learner": "alice",
    "lakelab:course": "end-to-end-pipelines",
    "lakelab:cloud": "aws",
    "lakelab:region": "us-east-1",
    "lakelab:expires": "2027-03-31",
    "lakelab:email": "alice@example.com",
    "lakelab:budgetUsd": 40,
}


def load(**changes: Any) -> Any:
    return from_config({**GOOD, **{f"lakelab:{k}": v for k, v in changes.items()}}, today=TODAY)


def refused(**changes: Any) -> str:
    with pytest.raises(BlueprintError) as info:
        load(**changes)
    return str(info.value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"spark": {"glueWorkerType": "G.025X"}},
            "lakelab:spark.glueWorkerType: G.025X workers run Glue streaming jobs only;"
            " the lab's batch jobs take G.1X, G.2X or G.4X",
        ),
        (
            {"alertThresholdsPct": [50, 60, 70, 80, 90]},
            "lakelab:alertThresholdsPct: at most 4 thresholds, got 5: an Azure budget takes 5"
            " notifications and lakelab adds 1 forecast alert",
        ),
        (
            {"warehouse": {"baseCapacityRpu": 12}},
            "lakelab:warehouse.baseCapacityRpu: Redshift Serverless base capacity is 4 RPU,"
            " or 8 to 512 in steps of 8; got 12",
        ),
        (
            {"warehouse": {"baseCapacityRpu": 520}},
            "lakelab:warehouse.baseCapacityRpu: Redshift Serverless base capacity is 4 RPU,"
            " or 8 to 512 in steps of 8; got 520",
        ),
        (
            {"warehouse": {"baseCapacityRpu": 2}},
            "lakelab:warehouse.baseCapacityRpu: Redshift Serverless base capacity is 4 RPU,"
            " or 8 to 512 in steps of 8; got 2",
        ),
        (
            {"spark": {"minNodes": 2}},
            "lakelab:spark.minNodes: a Synapse Spark pool has 3 to 200 nodes; got 2",
        ),
        (
            {"spark": {"maxNodes": 201}},
            "lakelab:spark.maxNodes: a Synapse Spark pool has 3 to 200 nodes; got 201",
        ),
        (
            {"spark": {"nodeSize": "Huge"}},
            "lakelab:spark.nodeSize: Input should be 'Small', 'Medium' or 'Large'",
        ),
        (
            {"spark": {"autoPauseMinutes": 4}},
            "lakelab:spark.autoPauseMinutes: Input should be greater than or equal to 5",
        ),
        (
            {"warehouse": {"dedicatedSku": "DW123c"}},
            "lakelab:warehouse.dedicatedSku: 'DW123c' is not a Synapse dedicated SQL pool"
            " service level (DW100c, DW200c,",
        ),
    ],
)
def test_values_a_cloud_refuses(changes: dict[str, Any], message: str) -> None:
    text = refused(**changes)
    assert text.startswith(message), text
    assert text.count("\n") == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"alertThresholdsPct": [50, 70, 90, 100]},
        {"alertThresholdsPct": [50, 50, 80, 90, 100]},  # duplicates are one notification
        {"warehouse": {"baseCapacityRpu": 4}},
        {"warehouse": {"baseCapacityRpu": 512}},
        {"spark": {"minNodes": 3, "maxNodes": 200}},
        {"warehouse": {"dedicatedSku": "DW30000c"}},
        {"spark": {"glueWorkerType": "G.4X"}},
        # Valid but costly: the blueprint loads them and the policies report them.
        {"budgetUsd": 9999},
        {"expires": "2099-12-31"},
        {"warehouse": {"usageLimitRpuHours": 10_000}},
        {"spark": {"maxNodes": 50}},
    ],
)
def test_limits_are_inclusive_and_costly_values_load(changes: dict[str, Any]) -> None:
    assert load(**changes).stack_name == "demo-alice-aws"
