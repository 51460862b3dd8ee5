"""A learner's lake, reached with the learner's own credentials.

One small interface over both clouds: objects per layer, listed, read, written, deleted, and
whole folders staged to and published from a local work folder (Spark has no s3a/abfs jars
offline, so jobs run on local files between a download and an upload).

A `Lake` is built from a learner profile (`lakelab.profile.LearnerProfile`, which `lakelab
local env` prints as variables), so the same code reaches the local twin or, with real
credentials, the cloud. Layers are named the same everywhere; the profile maps a layer to its
bucket (AWS) or container (Azure). Each cloud's lake lives in its home (`lakelab.clouds`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lakelab.clouds.target import Lake

__all__ = ["Lake", "current_lake", "download", "lake_for", "lake_from_env", "publish"]

# Parallel transfers: enough to hide per-request latency, few enough for 2 cores.
_TRANSFER_THREADS = 8


def lake_from_env(env: Mapping[str, str]) -> Lake:
    """The lake a profile's variables describe."""
    from lakelab.clouds import lake_of, profile_from_env

    return lake_of(profile_from_env(env))


def lake_for(stack: str) -> Lake:
    """The lake of a stack provisioned on the local twin, as its learner sees it."""
    from lakelab.clouds import lake_of
    from localcloud import twin

    return lake_of(twin.profile_of(stack))


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
