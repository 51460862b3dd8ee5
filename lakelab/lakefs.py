"""fsspec filesystems over a learner's lake, for engines that read object storage directly
(DuckDB here), with a count of the bytes read.

The count is what a scan-billed engine (Athena, Synapse serverless SQL) charges for: bytes
read from storage, after Parquet column and row-group pruning.
"""

from __future__ import annotations

import threading
from typing import Any


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


def count_reads(fs: Any, counter: ByteCounter) -> Any:
    """Wrap `fs.open` so every byte read through it is counted."""
    opener = fs.open

    def open_counted(path: str, mode: str = "rb", **kwargs: Any) -> Any:
        handle = opener(path, mode, **kwargs)
        return _CountedFile(handle, path, counter) if "r" in mode else handle

    fs.open = open_counted
    return fs
