"""fsspec filesystems over a learner's lake, for engines that read object storage directly
(DuckDB here), with a count of the bytes read.

The count is what a scan-billed engine (Athena, Synapse serverless SQL) charges for: bytes
read from storage, after Parquet column and row-group pruning.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import fsspec


class ByteCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.bytes_read = 0
        self.files: set[str] = set()

    def reset(self) -> None:
        with self._lock:
            self.bytes_read = 0
            self.files.clear()

    def add(self, path: str, n: int) -> None:
        with self._lock:
            self.bytes_read += n
            self.files.add(path)


class _CountedFile:
    """A file object that reports every byte read to a counter; everything else delegates."""

    def __init__(self, inner: Any, path: str, counter: ByteCounter) -> None:
        self._inner, self._path, self._counter = inner, path, counter

    def read(self, *args: Any) -> bytes:
        data: bytes = self._inner.read(*args)
        self._counter.add(self._path, len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        n: int = self._inner.readinto(buffer)
        self._counter.add(self._path, n)
        return n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> _CountedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.close()


def _count(fs: Any, counter: ByteCounter) -> Any:
    opener = fs.open

    def open_counted(path: str, mode: str = "rb", **kwargs: Any) -> Any:
        handle = opener(path, mode, **kwargs)
        return _CountedFile(handle, path, counter) if "r" in mode else handle

    fs.open = open_counted
    return fs


def s3_filesystem(env: Mapping[str, str], counter: ByteCounter) -> fsspec.AbstractFileSystem:
    """`s3://` through pyarrow's S3 client, signed with the learner's keys."""
    from fsspec.implementations.arrow import ArrowFSWrapper
    from pyarrow import fs as pafs

    endpoint = env.get("AWS_ENDPOINT_URL") or None
    s3 = pafs.S3FileSystem(
        access_key=env.get("AWS_ACCESS_KEY_ID"),
        secret_key=env.get("AWS_SECRET_ACCESS_KEY"),
        region=env.get("AWS_REGION", "us-east-1"),
        endpoint_override=endpoint,
        scheme="http" if endpoint and endpoint.startswith("http://") else "https",
    )

    class S3(ArrowFSWrapper):  # type: ignore[misc]
        protocol = "s3"

    return _count(S3(s3), counter)


def blob_filesystem(env: Mapping[str, str], counter: ByteCounter) -> fsspec.AbstractFileSystem:
    """`abfs://<container>/<path>` through adlfs on the blob API (Azurite has no dfs API)."""
    from adlfs import AzureBlobFileSystem

    fs = AzureBlobFileSystem(connection_string=env["AZURE_STORAGE_CONNECTION_STRING"])
    return _count(fs, counter)


def filesystem_for(env: Mapping[str, str], counter: ByteCounter) -> fsspec.AbstractFileSystem:
    if env.get("LAKELAB_CLOUD") == "aws":
        return s3_filesystem(env, counter)
    return blob_filesystem(env, counter)


def scheme_for(env: Mapping[str, str]) -> str:
    return "s3" if env.get("LAKELAB_CLOUD") == "aws" else "abfs"
