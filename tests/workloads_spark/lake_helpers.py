"""Helpers for the workloads_spark tests: landing files in, Parquet rows and digests out."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq


def rows(path: Path, columns: list[str] | None = None) -> list[tuple[Any, ...]]:
    """A Parquet table's rows as sorted tuples, read with pyarrow (not Spark), so the test
    also proves other engines read what Spark wrote."""
    table = pq.read_table(path, partitioning=None)
    names = columns or table.column_names
    data = table.select(names).to_pylist()
    return sorted((tuple(r[n] for n in names) for r in data), key=repr)


def file_digests(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by relative path."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
