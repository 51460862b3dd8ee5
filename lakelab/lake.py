"""A learner's lake, reached with the learner's own credentials.

One small interface over both clouds: objects per layer, listed, read, written, deleted, and
whole folders staged to and published from a local work folder (Spark has no s3a/abfs jars
offline, so jobs run on local files between a download and an upload).

A `Lake` is built from a learner profile (the variables `lakelab local env` prints), so the
same code reaches the local twin or, with real credentials, the cloud. Layers are named the
same everywhere; the profile maps a layer to its bucket (AWS) or container (Azure).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from lakelab.errors import UserError

# Parallel transfers: enough to hide per-request latency, few enough for 2 cores.
_TRANSFER_THREADS = 8


class Lake(Protocol):
    stack: str
    cloud: str

    def location(self, layer: str) -> str:
        """The layer's name in its cloud: a bucket or a container."""

    def uri(self, layer: str, key: str = "") -> str: ...

    def put(self, layer: str, key: str, data: bytes) -> None: ...

    def get(self, layer: str, key: str) -> bytes: ...

    def keys(self, layer: str, prefix: str = "") -> list[str]: ...

    def delete(self, layer: str, keys: list[str]) -> None: ...


def _layer_var(env: Mapping[str, str], kind: str, layer: str) -> str:
    name = env.get(f"LAKELAB_{kind}_{layer.upper().replace('-', '_')}")
    if not name:
        stack = env.get("LAKELAB_STACK", "?")
        raise UserError(f"the profile of {stack} has no {layer} {kind.lower()}")
    return name


@dataclass
class S3Lake:
    """Layers are buckets; the client signs as the learner (their IAM user's keys)."""

    stack: str
    env: Mapping[str, str]
    cloud: str = "aws"

    def __post_init__(self) -> None:
        import boto3
        from botocore.config import Config

        self.client: Any = boto3.client(
            "s3",
            endpoint_url=self.env.get("AWS_ENDPOINT_URL") or None,
            aws_access_key_id=self.env.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=self.env.get("AWS_SECRET_ACCESS_KEY"),
            region_name=self.env.get("AWS_REGION", "us-east-1"),
            config=Config(max_pool_connections=_TRANSFER_THREADS * 2, retries={"max_attempts": 3}),
        )

    def location(self, layer: str) -> str:
        return _layer_var(self.env, "BUCKET", layer)

    def uri(self, layer: str, key: str = "") -> str:
        return f"s3://{self.location(layer)}/{key}"

    def put(self, layer: str, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.location(layer), Key=key, Body=data)

    def get(self, layer: str, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.location(layer), Key=key)["Body"].read()
        return body

    def keys(self, layer: str, prefix: str = "") -> list[str]:
        found: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.location(layer), Prefix=prefix
        ):
            found += [o["Key"] for o in page.get("Contents", [])]
        return sorted(found)

    def delete(self, layer: str, keys: list[str]) -> None:
        # One DeleteObject per key: moto authorises the batch DeleteObjects call against the
        # bucket ARN rather than each object, which a least-privilege learner policy denies.
        bucket = self.location(layer)
        with ThreadPoolExecutor(_TRANSFER_THREADS) as pool:
            list(pool.map(lambda k: self.client.delete_object(Bucket=bucket, Key=k), keys))


@dataclass
class BlobLake:
    """Layers are containers of the learner's storage account (blob API: the twin's Azurite
    has no ADLS Gen2 endpoint, and the blob API works against real ADLS accounts too)."""

    stack: str
    env: Mapping[str, str]
    cloud: str = "azure"

    def __post_init__(self) -> None:
        from azure.storage.blob import BlobServiceClient

        conn = self.env.get("AZURE_STORAGE_CONNECTION_STRING")
        if not conn:
            raise UserError(f"the profile of {self.stack} has no AZURE_STORAGE_CONNECTION_STRING")
        self.service = BlobServiceClient.from_connection_string(conn)

    def location(self, layer: str) -> str:
        return _layer_var(self.env, "CONTAINER", layer)

    def uri(self, layer: str, key: str = "") -> str:
        account = self.env.get("AZURE_STORAGE_ACCOUNT_NAME", "")
        return f"abfss://{self.location(layer)}@{account}.dfs.core.windows.net/{key}"

    def put(self, layer: str, key: str, data: bytes) -> None:
        self.service.get_blob_client(self.location(layer), key).upload_blob(data, overwrite=True)

    def get(self, layer: str, key: str) -> bytes:
        return self.service.get_blob_client(self.location(layer), key).download_blob().readall()

    def keys(self, layer: str, prefix: str = "") -> list[str]:
        container = self.service.get_container_client(self.location(layer))
        return sorted(b.name for b in container.list_blobs(name_starts_with=prefix or None))

    def delete(self, layer: str, keys: list[str]) -> None:
        container = self.service.get_container_client(self.location(layer))
        for start in range(0, len(keys), 256):
            chunk = keys[start : start + 256]
            if chunk:
                # Like S3: deleting a blob that is already gone is not an error.
                container.delete_blobs(*chunk, raise_on_any_failure=False)


def lake_from_env(env: Mapping[str, str]) -> Lake:
    stack = env.get("LAKELAB_STACK", "")
    cloud = env.get("LAKELAB_CLOUD")
    if cloud == "aws":
        return S3Lake(stack, env)
    if cloud == "azure":
        return BlobLake(stack, env)
    raise UserError(
        "no learner profile: set LAKELAB_CLOUD and the variables `lakelab local env` prints"
    )


def lake_for(stack: str) -> Lake:
    """The lake of a stack provisioned on the local twin, as its learner sees it."""
    from localcloud import profiles, twin

    paths, state, record = twin.record_of(stack)
    return lake_from_env(profiles.variables(paths, state, record))


def current_lake() -> Lake:
    """The lake named by this process's environment (after `eval "$(lakelab local env ...)"`)."""
    return lake_from_env(os.environ)


# --- folders ----------------------------------------------------------------------------------
def _walk(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and not path.name.endswith(".crc"):
            yield path


def download(lake: Lake, layer: str, prefix: str, dest: Path) -> list[Path]:
    """Stage every object under `prefix` into `dest`, keeping relative paths."""
    keys = lake.keys(layer, prefix)
    dest.mkdir(parents=True, exist_ok=True)

    def fetch(key: str) -> Path:
        rel = key[len(prefix) :].lstrip("/") if prefix else key
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(lake.get(layer, key))
        return target

    with ThreadPoolExecutor(_TRANSFER_THREADS) as pool:
        return list(pool.map(fetch, keys))


def publish(lake: Lake, src: Path, layer: str, prefix: str) -> int:
    """Replace everything under `prefix` with the files of `src` (idempotent: a rerun
    leaves exactly the new files, never a mix of old and new)."""
    prefix = prefix.rstrip("/") + "/" if prefix else ""
    files = list(_walk(src))
    wanted = {prefix + p.relative_to(src).as_posix(): p for p in files}

    def send(item: tuple[str, Path]) -> None:
        lake.put(layer, item[0], item[1].read_bytes())

    with ThreadPoolExecutor(_TRANSFER_THREADS) as pool:
        list(pool.map(send, wanted.items()))
    stale = [k for k in lake.keys(layer, prefix) if k not in wanted]
    lake.delete(layer, stale)
    return len(files)
