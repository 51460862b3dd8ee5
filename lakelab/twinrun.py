"""Running the shared workload on a learner's local twin.

Spark has no s3a/abfs connectors offline, so a run works through a local mirror of the
learner's lake (`<state>/runs/<stack>/lake/<layer>/...`):

1. pull: objects new in the lake are downloaded (landing batches, and anything the learner
   changed: an object whose ETag differs from the one mirrored); objects gone from the lake
   are removed from the mirror;
2. run: the medallion jobs (`lakelab_jobs.pipeline.run`) on local Spark over the mirror;
3. push: changed files go back to the layer buckets/containers, and files the run removed are
   deleted there; only the tables the pipeline owns are touched;
4. catalog: tables and partitions are registered in Glue (AWS twin) or in the serverless SQL
   catalog (Azure twin), as a crawler would;
5. record: the run's manifests are kept under `<state>/results/<stack>/local/` for reports.

Every transfer uses the learner's own credentials.
"""

from __future__ import annotations

import json
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakelab.catalog import scan_tables
from lakelab.clouds import cloud_for
from lakelab.errors import UserError
from lakelab.lake import Lake, lake_for
from lakelab.naming import CATALOG_LAYERS
from lakelab.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LAYERS_PULLED = ("landing", "bronze", "silver", "gold", "quarantine")
LAYERS_PUSHED = ("bronze", "silver", "gold", "quarantine")
SYNC_INDEX = ".lakelab-sync.json"


@dataclass
class TwinRun:
    stack: str
    run_id: str
    mode: str
    timings: dict[str, float] = field(default_factory=dict)
    manifests: list[dict[str, Any]] = field(default_factory=list)
    pulled: int = 0
    pushed: int = 0
    deleted: int = 0
    tables: int = 0


def mirror_root(stack: str) -> Path:
    return Settings.current().runs_dir(stack) / "lake"


def spark_log(stack: str) -> Path:
    """Where Spark's own log (its WARN lines and Java stack traces) goes for the stack's runs."""
    return mirror_root(stack).parent / "spark.log"


def spark_session(stack: str) -> SparkSession:
    """The local Spark session for the stack's runs, logging to `spark_log(stack)` instead of
    the console the learner reads."""
    from lakelab_jobs.session import local_session

    return local_session(log_file=spark_log(stack))


def results_dir(stack: str) -> Path:
    return Settings.current().local_results_dir(stack)


def _index(root: Path) -> dict[str, list[Any]]:
    """Mirror bookkeeping: `layer/key` -> [local size, local mtime_ns, remote version]."""
    path = root / SYNC_INDEX
    return json.loads(path.read_text()) if path.is_file() else {}


def _files(root: Path, layer: str) -> dict[str, Path]:
    base = root / layer
    if not base.is_dir():
        return {}
    return {
        f"{layer}/{p.relative_to(base).as_posix()}": p
        for p in sorted(base.rglob("*"))
        if p.is_file() and not p.name.startswith(".") and ".__staging-" not in p.as_posix()
    }


def remote_versions(lake: Lake, layer: str) -> dict[str, str]:
    """Every object of a layer with a tag that changes when the object is rewritten."""
    return lake.versions(layer)


def _current(entry: list[Any] | None, version: str) -> bool:
    """Whether the mirrored copy is still the object the lake holds."""
    if entry is None:
        return False
    known = entry[2] if len(entry) > 2 else ""
    return not version or not known or known == version


def _untouched(entry: list[Any] | None, path: Path) -> bool:
    """Whether the mirrored file is as it was last synced (a failed run may have changed it
    without pushing)."""
    st = path.stat()
    return entry is not None and entry[:2] == [st.st_size, st.st_mtime_ns]


def _prune(root: Path) -> None:
    """Drop what no lake object stands for: staging folders of runs that stopped, and
    folders left empty (an empty `batch=` folder would read as an ingested batch)."""
    for layer in LAYERS_PULLED:
        base = root / layer
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if path.is_dir() and ".__staging-" in path.name:
                shutil.rmtree(path)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def pull(lake: Lake, root: Path) -> int:
    """Make the mirror an exact copy of the lake; returns files downloaded. An object is
    downloaded when it is new to the mirror, was rewritten in the lake since, or its mirrored
    copy was changed by a run that did not finish (the lake is the truth; nothing of a failed
    run survives into the next)."""
    index = _index(root)
    downloaded = 0
    for layer in LAYERS_PULLED:
        remote = remote_versions(lake, layer)
        local = _files(root, layer)
        for key, path in local.items():
            if key.split("/", 1)[1] not in remote:
                path.unlink()
                index.pop(key, None)
        for rel, version in sorted(remote.items()):
            key = f"{layer}/{rel}"
            if (
                key in local
                and _current(index.get(key), version)
                and _untouched(index.get(key), local[key])
            ):
                if version:
                    index[key] = [*index[key][:2], version]
                continue
            target = root / layer / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(lake.get(layer, rel))
            st = target.stat()
            index[key] = [st.st_size, st.st_mtime_ns, version]
            downloaded += 1
    _prune(root)
    (root / SYNC_INDEX).write_text(json.dumps(index))
    return downloaded


def push(lake: Lake, root: Path) -> tuple[int, int]:
    """Send changed files to the lake and delete what the run removed; (sent, deleted)."""
    index = _index(root)
    sent = deleted = 0
    for layer in LAYERS_PUSHED:
        local = _files(root, layer)
        tables = {key.split("/")[1] for key in local}
        changed: list[str] = []
        for key, path in local.items():
            st = path.stat()
            if index.get(key, [])[:2] != [st.st_size, st.st_mtime_ns]:
                lake.put(layer, key.split("/", 1)[1], path.read_bytes())
                index[key] = [st.st_size, st.st_mtime_ns, ""]
                changed.append(key)
                sent += 1
        for table in sorted(tables):
            stale = [k for k in lake.keys(layer, f"{table}/") if f"{layer}/{k}" not in local]
            lake.delete(layer, stale)
            deleted += len(stale)
            for k in stale:
                index.pop(f"{layer}/{k}", None)
        if changed:
            # Remember the versions just written, so the next pull does not fetch them back.
            versions = remote_versions(lake, layer)
            for key in changed:
                index[key][2] = versions.get(key.split("/", 1)[1], "")
    (root / SYNC_INDEX).write_text(json.dumps(index))
    return sent, deleted


def register_catalog(lake: Lake, root: Path) -> int:
    profile = lake.profile
    specs = []
    for layer in CATALOG_LAYERS:
        specs += scan_tables(root, layer, profile.database(layer), lake.uri(layer))
    cloud_for(lake.cloud).register_tables(profile, specs)
    return len(specs)


def _failed(stack: str, lake: Lake, root: Path, exc: Exception) -> UserError:
    """A failed medallion run as one line naming the cause, with the whole story (Python
    traceback, Java frames) in `runs/<stack>/last-error.log`. Mirror paths in the message
    are given as the lake's own URIs, which is where the learner put the file."""
    from lakelab_jobs.failures import describe

    log = root.parent / "last-error.log"
    log.write_text("".join(traceback.format_exception(exc)))
    message = describe(exc)
    for layer in LAYERS_PULLED:
        message = message.replace((root / layer).as_uri() + "/", lake.uri(layer))
    return UserError(
        f"the run on {stack} failed: {message} (details: {log}; Spark log: {spark_log(stack)})"
    )


def run_on_twin(
    stack: str,
    mode: str = "incremental",
    run_id: str | None = None,
    log: Callable[[str], None] = print,
) -> TwinRun:
    from lakelab_jobs.jobargs import generated_run_id
    from lakelab_jobs.layout import Lake as JobLake
    from lakelab_jobs.pipeline import RunRequest, run

    lake = lake_for(stack)
    root = mirror_root(stack)
    root.mkdir(parents=True, exist_ok=True)
    result = TwinRun(stack=stack, run_id=run_id or generated_run_id("twin"), mode=mode)

    def timed(step: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = fn()
        result.timings[step] = round(time.perf_counter() - start, 3)
        return value

    result.pulled = timed("pull", lambda: pull(lake, root))
    log(f"pulled {result.pulled} new object(s) from {stack}")
    spark = timed("spark_start", lambda: spark_session(stack))
    request = RunRequest(
        lake=JobLake.under(root),
        run_id=result.run_id,
        mode=mode,  # type: ignore[arg-type]
    )
    try:
        manifests = timed("medallion", lambda: run(spark, request))
    except Exception as exc:
        raise _failed(stack, lake, root, exc) from None
    result.manifests = [json.loads(m.to_json()) for m in manifests]
    for m in result.manifests:
        log(f"  {m['stage']}: {m.get('duration_s', 0):.2f}s")
    result.pushed, result.deleted = timed("push", lambda: push(lake, root))
    log(f"pushed {result.pushed} file(s), removed {result.deleted} from {stack}")
    result.tables = timed("catalog", lambda: register_catalog(lake, root))
    log(f"registered {result.tables} table(s) in the catalog")
    out = results_dir(stack)
    out.mkdir(parents=True, exist_ok=True)
    for m in result.manifests:
        (out / f"{result.run_id}.{m['stage']}.json").write_text(json.dumps(m, indent=2))
    return result
