"""The Glue jobs register their own tables: what Spark sees of a layer after a run is what the
twin's mirror scan sees, and registering it in a real Glue API (moto's) gives the tables and
partitions Athena reads.

Local Spark on local files; moto stands in for Glue (the Glue runtime cannot run here), with
the same boto3 calls the job makes on Glue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lakelab_jobs.catalog import database, register_stages, spark_tables
from lakelab_jobs.layout import Lake
from lakelab_jobs.pipeline import STAGES, RunRequest, run
from lakelab_jobs.synthetic import SyntheticSpec, write_base

from lakelab.catalog import scan_tables

pytestmark = pytest.mark.slow
PREFIX = "spring_alice"


@pytest.fixture(scope="module")
def lake_root(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lake")
    write_base(root / "landing", SyntheticSpec(orders=400, seed=11))
    run(spark, RunRequest(Lake.under(root), "catalog-1", "full"))
    return root


@pytest.fixture(scope="module")
def glue(moto_url: str) -> Any:
    import boto3

    client = boto3.client(
        "glue", endpoint_url=moto_url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    for layer in ("bronze", "silver", "gold"):
        client.create_database(DatabaseInput={"Name": database(PREFIX, layer)})
    return client


@pytest.mark.parametrize("layer", ["bronze", "silver", "gold"])
def test_spark_sees_the_tables_the_mirror_scan_sees(
    spark: Any, lake_root: Path, layer: str
) -> None:
    uri = (lake_root / layer).as_uri()
    by_spark = spark_tables(spark, uri, database(PREFIX, layer))
    by_scan = scan_tables(lake_root, layer, database(PREFIX, layer), uri)
    assert by_spark == by_scan
    assert by_spark, f"no {layer} tables"


def test_the_job_registers_every_table_and_partition_in_glue(
    spark: Any, lake_root: Path, glue: Any
) -> None:
    lake = Lake.under(lake_root)
    assert register_stages(spark, glue, lake, STAGES, PREFIX) == 7
    bronze = glue.get_table(DatabaseName=f"{PREFIX}_bronze", Name="orders")["Table"]
    assert [k["Name"] for k in bronze["PartitionKeys"]] == ["batch"]
    sd = bronze["StorageDescriptor"]
    assert sd["Location"] == f"{lake.bronze}/orders/"
    assert sd["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    partitions = glue.get_partitions(DatabaseName=f"{PREFIX}_bronze", TableName="orders")
    expected = sorted(p.name.split("=", 1)[1] for p in (lake_root / "bronze/orders").iterdir())
    assert sorted(p["Values"][0] for p in partitions["Partitions"]) == expected
    gold = glue.get_table(DatabaseName=f"{PREFIX}_gold", Name="daily_sales")["Table"]
    assert ("revenue", "decimal(18,2)") in [
        (c["Name"], c["Type"]) for c in gold["StorageDescriptor"]["Columns"]
    ]
    # A second registration adds nothing and changes nothing.
    assert register_stages(spark, glue, lake, STAGES, PREFIX) == 7
    again = glue.get_partitions(DatabaseName=f"{PREFIX}_bronze", TableName="orders")
    assert len(again["Partitions"]) == len(expected)
