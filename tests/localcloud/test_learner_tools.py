"""The learner's own tools on the AWS twin, with nothing but the profile `lakelab local env`
prints: pyarrow's S3 filesystem, DuckDB over what pyarrow reads, pandas, polars, boto3 paging.
Real moto server, real clients; nothing is faked. (The Azure twin: test_learner_tools_azure.)

DuckDB's own S3 support is its httpfs extension, which DuckDB downloads on first use; offline
it loads from the pinned `duckdb-extension-httpfs` wheel, by path. Reading through pyarrow
and handing DuckDB the Arrow table works without it.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyarrow import fs as pafs
from twin_harness import TwinEnv, learner_shell

from localcloud import twin

STACK = "demo-alice-aws"


@pytest.fixture
def learner_env(fresh: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    twin.up([STACK, "demo-bob-aws"], spark=False)
    return learner_shell(STACK, monkeypatch)


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


def httpfs_path() -> str:
    """The extension file of the pinned `duckdb-extension-httpfs` wheel."""
    import duckdb_extension_httpfs

    root = Path(duckdb_extension_httpfs.__path__[0])
    return str(next(root.glob("extensions/*/httpfs.duckdb_extension")))


def duckdb_on_the_twin() -> duckdb.DuckDBPyConnection:
    """The recipe of docs/local-twin.md: the pinned httpfs wheel loaded by path (DuckDB would
    download it otherwise) and an S3 secret from the profile: endpoint `host:port`, path-style
    URLs, no SSL."""
    con = duckdb.connect()
    con.load_extension(httpfs_path())
    endpoint = urlparse(os.environ["AWS_ENDPOINT_URL"])
    con.execute(
        "CREATE SECRET twin (TYPE s3, KEY_ID ?, SECRET ?, REGION ?, ENDPOINT ?,"
        " URL_STYLE 'path', USE_SSL false)",
        [
            os.environ["AWS_ACCESS_KEY_ID"],
            os.environ["AWS_SECRET_ACCESS_KEY"],
            os.environ["AWS_REGION"],
            endpoint.netloc,
        ],
    )
    return con


def test_duckdb_reads_and_writes_s3_with_the_documented_secret(
    learner_env: dict[str, str],
) -> None:
    con = duckdb_on_the_twin()
    bucket = learner_env["LAKELAB_BUCKET_GOLD"]
    con.execute(
        f"COPY (SELECT * FROM (VALUES ('north', 1.5), ('south', 2.0), ('north', 2.5))"
        f" t(region, revenue)) TO 's3://{bucket}/duck/part-0.parquet' (FORMAT parquet)"
    )
    totals = con.sql(
        f"SELECT region, sum(revenue) FROM 's3://{bucket}/duck/*.parquet'"
        " GROUP BY region ORDER BY region"
    ).fetchall()
    assert totals == [("north", 4.0), ("south", 2.0)]
    assert pq.read_table(f"{bucket}/duck/part-0.parquet", filesystem=s3_filesystem()).num_rows == 3

    # Without the secret DuckDB ignores AWS_ENDPOINT_URL and asks real AWS.
    bare = duckdb.connect()
    bare.execute("SET autoinstall_known_extensions = false")
    bare.load_extension(httpfs_path())
    with pytest.raises(
        duckdb.IOException, match=rf"https://{bucket}\.s3\.[a-z0-9-]+\.amazonaws\.com"
    ):
        bare.sql(f"SELECT * FROM 's3://{bucket}/duck/part-0.parquet'").fetchall()

    bob = twin.profile_of("demo-bob-aws").location("gold")
    with pytest.raises(duckdb.HTTPException, match=r"403"):
        con.sql(f"SELECT * FROM 's3://{bob}/daily_sales/part-0.parquet'").fetchall()
    with pytest.raises(duckdb.HTTPException, match=r"403"):
        con.execute(f"COPY (SELECT 1 AS x) TO 's3://{bob}/stolen.parquet' (FORMAT parquet)")
