"""The learner's own tools on the AWS twin, with nothing but the profile `lakelab local env`
prints: pyarrow's S3 filesystem, DuckDB over what pyarrow reads, pandas, polars, boto3 paging.
Real moto server, real clients; nothing is faked. (The Azure twin: test_learner_tools_azure.)

DuckDB's own S3 support is an extension it downloads (httpfs), which an offline laptop does
not have; the recipe that works everywhere reads through pyarrow and hands DuckDB the table.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyarrow import fs as pafs
from twin_harness import TwinEnv

from localcloud import twin

STACK = "demo-alice-aws"


@pytest.fixture
def learner_env(fresh: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    twin.up([STACK, "demo-bob-aws"], spark=False)
    exported = dict(
        line.removeprefix("export ").split("=", 1)
        for line in twin.env(STACK).splitlines()
        if line.startswith("export ")
    )
    exported = {k: v.strip("'") for k, v in exported.items()}
    for key in [k for k in os.environ if k.startswith(("AWS_", "AZURE_"))]:
        monkeypatch.delenv(key)
    for key, value in exported.items():
        monkeypatch.setenv(key, value)
    return exported


def s3_filesystem() -> pafs.S3FileSystem:
    """The one-line recipe of docs/local-twin.md ("Your tools")."""
    endpoint = urlparse(os.environ["AWS_ENDPOINT_URL"])
    return pafs.S3FileSystem(
        endpoint_override=endpoint.netloc, scheme=endpoint.scheme, region=os.environ["AWS_REGION"]
    )


def test_pyarrow_duckdb_and_pandas_read_and_write_the_learners_bucket(
    learner_env: dict[str, str],
) -> None:
    bucket = learner_env["LAKELAB_BUCKET_GOLD"]
    s3 = s3_filesystem()
    table = pa.table({"region": ["north", "south", "north"], "revenue": [1.5, 2.0, 2.5]})
    pq.write_table(table, f"{bucket}/daily_sales/part-0.parquet", filesystem=s3)

    read = pq.read_table(f"{bucket}/daily_sales/", filesystem=s3)
    assert read.num_rows == 3
    totals = duckdb.sql(
        "select region, sum(revenue) as revenue from read group by region order by region"
    ).fetchall()
    assert totals == [("north", 4.0), ("south", 2.0)]
    frame = pq.read_table(f"{bucket}/daily_sales/", filesystem=s3).to_pandas()
    assert frame["revenue"].sum() == 6.0


def test_another_learners_bucket_is_refused_to_the_same_tools(
    learner_env: dict[str, str],
) -> None:
    s3 = s3_filesystem()
    bob = twin.profile_of("demo-bob-aws").location("gold")
    with pytest.raises(OSError, match=r"ACCESS_DENIED"):
        s3.get_file_info(pafs.FileSelector(f"{bob}/", recursive=True))


def test_listing_every_bucket_is_refused_and_naming_yours_works(
    learner_env: dict[str, str],
) -> None:
    """Least privilege, as on the cloud stack: no s3:ListAllMyBuckets. `aws s3 ls` alone is
    refused; `aws s3 ls s3://$LAKELAB_BUCKET_GOLD` works (docs/local-twin.md says so)."""
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.client("s3")
    with pytest.raises(ClientError) as refused:
        client.list_buckets()
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    listed = client.list_objects_v2(Bucket=learner_env["LAKELAB_BUCKET_GOLD"])
    assert listed["KeyCount"] == 0


def test_polars_reads_and_writes_the_learners_bucket_from_the_profile_alone(
    learner_env: dict[str, str],
) -> None:
    """polars (object_store) reads `AWS_ENDPOINT_URL`, the keys and the region itself."""
    url = f"s3://{learner_env['LAKELAB_BUCKET_SILVER']}/orders/part-0.parquet"
    pl.DataFrame({"order_id": [1, 2, 3], "amount": [9.5, 1.0, 4.5]}).write_parquet(url)
    read = pl.read_parquet(url)
    assert read.sort("order_id").rows() == [(1, 9.5), (2, 1.0), (3, 4.5)]
    listed = s3_filesystem().get_file_info(
        pafs.FileSelector(f"{learner_env['LAKELAB_BUCKET_SILVER']}/orders")
    )
    assert [f.base_name for f in listed] == ["part-0.parquet"]


def test_polars_is_refused_another_learners_bucket(learner_env: dict[str, str]) -> None:
    bob = twin.profile_of("demo-bob-aws").location("gold")
    with pytest.raises(PermissionError, match=r"403 Forbidden"):
        pl.DataFrame({"x": [1]}).write_parquet(f"s3://{bob}/stolen.parquet")
    with pytest.raises(PermissionError, match=r"403 Forbidden"):
        pl.read_parquet(f"s3://{bob}/daily_sales/part-0.parquet")
