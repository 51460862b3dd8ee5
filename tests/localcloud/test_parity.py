"""Parity: the twin's logical inventory, read from the running emulators, equals the offline
plan's for the same stack (layers, catalogs, workgroup, identity scope, tags). Any drift in
the twin fails the comparison."""

from __future__ import annotations

import pytest
from twin_harness import TwinEnv, blueprint

from lakelab.clouds.aws.names import AwsNames
from localcloud import twin
from localcloud.aws import s3
from localcloud.azure import blob
from localcloud.inventory import twin_inventory

DEMO = ("demo-alice-aws", "demo-alice-azure", "demo-bob-aws", "demo-bob-azure")


@pytest.mark.parametrize("stack", DEMO)
def test_twin_inventory_equals_plan_inventory(demo: TwinEnv, stack: str) -> None:
    from lakelab.inventory import plan_inventory

    assert twin_inventory(stack) == plan_inventory(stack)


def test_inventory_shape(demo: TwinEnv) -> None:
    inv = twin_inventory("demo-alice-aws")
    assert inv == {
        "stack": "demo-alice-aws",
        "cloud": "aws",
        "layers": {
            "landing": "ll-demo-alice-landing-f9ebc2",
            "bronze": "ll-demo-alice-bronze-f9ebc2",
            "silver": "ll-demo-alice-silver-f9ebc2",
            "gold": "ll-demo-alice-gold-f9ebc2",
            "quarantine": "ll-demo-alice-quarantine-f9ebc2",
        },
        "catalogs": ["demo_alice_bronze", "demo_alice_dbt", "demo_alice_gold", "demo_alice_silver"],
        "workgroup": "demo_alice_wg",
        "identity": {
            "name": "ll-demo-alice",
            "storage": sorted(
                f"ll-demo-alice-{p}-f9ebc2"
                for p in (
                    "landing",
                    "bronze",
                    "silver",
                    "gold",
                    "quarantine",
                    "query-results",
                    "artifacts",
                )
            ),
            "catalogs": [
                "demo_alice_bronze",
                "demo_alice_dbt",
                "demo_alice_gold",
                "demo_alice_silver",
            ],
        },
        "tags": {
            "cohort": "demo",
            "course": "end-to-end-pipelines",
            "expires": "2030-06-30",
            "learner": "alice",
            "managed-by": "lakelab",
        },
    }


def test_drift_in_the_twin_is_seen_and_up_repairs_it(demo: TwinEnv) -> None:
    clean = {s: twin_inventory(s) for s in ("demo-bob-aws", "demo-bob-azure")}
    bp = blueprint(demo, "demo-bob-aws")
    admin = demo.admin()
    record = demo.record("demo-bob-azure")
    svc = blob.service(f"http://127.0.0.1:{demo.azure_port}", record.identity, record.secret)
    try:
        # A tag edited on one bucket, a catalog database dropped, a container gone.
        tags = dict(bp.tags, expires="2031-01-01")
        admin.client("s3").put_bucket_tagging(
            Bucket=AwsNames.of(bp).bucket("silver"),
            Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]},
        )
        admin.client("glue").delete_database(Name="demo_bob_gold")
        svc.delete_container("quarantine")

        aws = twin_inventory("demo-bob-aws")
        assert aws["catalogs"] == ["demo_bob_bronze", "demo_bob_dbt", "demo_bob_silver"]
        assert "expires" not in aws["tags"]
        assert aws != clean["demo-bob-aws"]
        azure = twin_inventory("demo-bob-azure")
        assert "quarantine" not in azure["layers"]
        assert azure != clean["demo-bob-azure"]
    finally:
        twin.up(["demo-bob-aws", "demo-bob-azure"])
    assert {s: twin_inventory(s) for s in clean} == clean
    assert s3.bucket_tags(admin.client("s3"), AwsNames.of(bp).bucket("silver")) == bp.tags
