"""The learner's own tools on the Azure twin, with nothing but the profile `lakelab local env`
prints: azure-storage-blob, pandas through adlfs, polars (object_store) and pyarrow's own
Azure filesystem, on Azurite. Real Azurite, real clients; nothing is faked.

Each learner is a storage account of their own with its own key (localcloud/azure/), so the
other learner's data is another account: the same tools, given that account, are refused.
"""

from __future__ import annotations

import io
import os
from urllib.parse import urlparse

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobServiceClient
from pyarrow import fs as pafs
from twin_harness import TwinEnv, learner_shell

from localcloud import twin

STACK = "demo-alice-azure"
ROWS = [("north", 1.5), ("south", 2.0), ("north", 2.5)]


@pytest.fixture
def learner_env(fresh: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The shell after `eval "$(lakelab local env --stack demo-alice-azure)"`: no other
    Azure or AWS variable is set."""
    twin.up([STACK, "demo-bob-azure"], spark=False)
    return learner_shell(STACK, monkeypatch)


def frame() -> pl.DataFrame:
    return pl.DataFrame(ROWS, schema=["region", "revenue"], orient="row")


def dfs_url(container: str, path: str, account: str | None = None) -> str:
    """The cloud's form: abfss://<container>@<account>.dfs.core.windows.net/<path>."""
    account = account or os.environ["AZURE_STORAGE_ACCOUNT_NAME"]
    return f"abfss://{container}@{account}.dfs.core.windows.net/{path}"


def test_polars_writes_and_reads_every_url_form_from_the_profile(
    learner_env: dict[str, str],
) -> None:
    """`credential_provider=None` hands the exported `AZURE_*` keys to object_store, whose
    `AZURE_STORAGE_ENDPOINT` points every form at the twin, the cloud's included."""
    gold = learner_env["LAKELAB_CONTAINER_GOLD"]
    frame().write_parquet(f"az://{gold}/daily/part-0.parquet", credential_provider=None)
    for url in (
        f"az://{gold}/daily/part-0.parquet",
        f"abfs://{gold}/daily/part-0.parquet",
        dfs_url(gold, "daily/part-0.parquet"),
        f"az://{gold}@{learner_env['AZURE_STORAGE_ACCOUNT_NAME']}.blob.core.windows.net"
        "/daily/part-0.parquet",
    ):
        assert pl.read_parquet(url, credential_provider=None).rows() == ROWS, url
    frame().head(1).write_parquet(dfs_url(gold, "daily/part-1.parquet"), credential_provider=None)
    svc = BlobServiceClient.from_connection_string(learner_env["AZURE_STORAGE_CONNECTION_STRING"])
    names = [b.name for b in svc.get_container_client(gold).list_blobs("daily/")]
    assert names == ["daily/part-0.parquet", "daily/part-1.parquet"]


def test_polars_storage_options_form(learner_env: dict[str, str]) -> None:
    """The same with everything spelled out, for code that must not read the environment."""
    options = {
        "account_name": learner_env["AZURE_STORAGE_ACCOUNT_NAME"],
        "account_key": learner_env["AZURE_STORAGE_ACCOUNT_KEY"],
        "endpoint": learner_env["AZURE_STORAGE_ENDPOINT"],
    }
    url = f"az://{learner_env['LAKELAB_CONTAINER_SILVER']}/orders.parquet"
    frame().write_parquet(url, storage_options=options)
    assert pl.read_parquet(url, storage_options=options).rows() == ROWS


def test_pandas_through_adlfs(learner_env: dict[str, str]) -> None:
    """adlfs reads `AZURE_STORAGE_CONNECTION_STRING` itself for `az://`/`abfs://<container>`.
    The cloud's `abfss://...@<account>.dfs.core.windows.net` form needs `storage_options`:
    without it pandas hands that URL to pyarrow's own Azure filesystem, which goes to
    real Azure."""
    silver = learner_env["LAKELAB_CONTAINER_SILVER"]
    written = pd.DataFrame(ROWS, columns=["region", "revenue"])
    written.to_parquet(f"az://{silver}/pandas/part-0.parquet")
    assert pd.read_parquet(f"abfs://{silver}/pandas/part-0.parquet").equals(written)
    options = {"connection_string": learner_env["AZURE_STORAGE_CONNECTION_STRING"]}
    url = dfs_url(silver, "pandas/part-0.parquet")
    assert pd.read_parquet(url, storage_options=options).equals(written)
    with pytest.raises(pa.ArrowException, match=r"https://[a-z0-9]+\.blob\.core\.windows\.net"):
        pd.read_parquet(url)


def test_pyarrow_azure_filesystem_recipe(learner_env: dict[str, str]) -> None:
    """The one-line recipe of docs/local-twin.md: the endpoint's host and scheme passed in."""
    endpoint = urlparse(learner_env["AZURE_STORAGE_BLOB_ENDPOINT"])
    azure = pafs.AzureFileSystem(
        account_name=learner_env["AZURE_STORAGE_ACCOUNT_NAME"],
        account_key=learner_env["AZURE_STORAGE_ACCOUNT_KEY"],
        blob_storage_authority=endpoint.netloc,
        blob_storage_scheme=endpoint.scheme,
        dfs_storage_authority=endpoint.netloc,
        dfs_storage_scheme=endpoint.scheme,
    )
    gold = learner_env["LAKELAB_CONTAINER_GOLD"]
    pq.write_table(frame().to_arrow(), f"{gold}/arrow/part-0.parquet", filesystem=azure)
    assert pl.from_arrow(pq.read_table(f"{gold}/arrow/", filesystem=azure)).rows() == ROWS


def test_another_learners_account_is_refused_to_every_client(
    learner_env: dict[str, str],
) -> None:
    """Bob's data is Bob's storage account; Alice's key does not open it, whichever client
    or URL form she uses."""
    bob = twin.profile_of("demo-bob-azure").key_id
    key = learner_env["AZURE_STORAGE_ACCOUNT_KEY"]
    bob_endpoint = learner_env["AZURE_STORAGE_ENDPOINT"].rsplit("/", 1)[0] + f"/{bob}"
    bob_svc = BlobServiceClient.from_connection_string(
        twin.env("demo-bob-azure")
        .split("AZURE_STORAGE_CONNECTION_STRING=")[1]
        .split("\n")[0]
        .strip("'")
    )
    buf = io.BytesIO()
    frame().write_parquet(buf)
    bob_svc.get_blob_client("gold", "daily/part-0.parquet").upload_blob(buf.getvalue())

    with pytest.raises(PermissionError, match="403 Forbidden"):
        pl.read_parquet(dfs_url("gold", "daily/part-0.parquet", bob), credential_provider=None)
    options = {"account_name": bob, "account_key": key, "endpoint": bob_endpoint}
    with pytest.raises(PermissionError, match="403 Forbidden"):
        pl.read_parquet("az://gold/daily/part-0.parquet", storage_options=options)
    as_bob = f"DefaultEndpointsProtocol=http;AccountName={bob};AccountKey={key};"
    as_bob += f"BlobEndpoint={bob_endpoint};"
    with pytest.raises(HttpResponseError, match="AuthorizationFailure"):
        pd.read_parquet("az://gold/daily/", storage_options={"connection_string": as_bob})
    with pytest.raises(HttpResponseError) as refused:
        BlobServiceClient.from_connection_string(as_bob).get_container_client(
            "gold"
        ).get_blob_client("daily/part-0.parquet").download_blob()
    assert refused.value.status_code == 403
