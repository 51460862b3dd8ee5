"""The medallion run: bronze -> silver -> gold, each stage with its watermark and manifest.

Every entry point (Glue, Synapse, local CLI, tests, benchmark) calls `run` or one of the
`run_<stage>` functions; only how the session and the URIs are obtained differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from pyspark.sql import SparkSession

from lakelab_jobs import bronze, gold, silver
from lakelab_jobs.contract import DAILY_SALES, ENTITIES, ORDERS
from lakelab_jobs.lakefs import LakeFS
from lakelab_jobs.layout import Lake
from lakelab_jobs.manifest import Manifest, ReconciliationError, SilverCounts, utc_now
from lakelab_jobs.session import configure
from lakelab_jobs.state import EntityWatermark, load_gold, load_silver, save

Mode = Literal["full", "incremental"]
STAGES: Final = ("bronze", "silver", "gold")
MODES: Final = ("full", "incremental")


@dataclass(frozen=True)
class RunRequest:
    lake: Lake
    run_id: str
    mode: Mode = "incremental"
    stages: Sequence[str] = field(default=STAGES)


def _manifest(request: RunRequest, stage: str) -> Manifest:
    lake = request.lake
    uris = {
        "landing": lake.landing,
        "bronze": lake.bronze,
        "silver": lake.silver,
        "gold": lake.gold,
        "quarantine": lake.quarantine,
        "state": lake.state,
    }
    return Manifest(request.run_id, stage, request.mode, uris).start()


def _record(fs: LakeFS, request: RunRequest, manifest: Manifest) -> Manifest:
    """Write the manifest, then fail the run if its numbers do not reconcile."""
    manifest.finish()
    fs.write_text(request.lake.manifest_file(request.run_id, manifest.stage), manifest.to_json())
    if manifest.problems:
        raise ReconciliationError("; ".join(manifest.problems))
    return manifest


def run_bronze(spark: SparkSession, request: RunRequest) -> Manifest:
    fs, lake = LakeFS(spark), request.lake
    manifest = _manifest(request, "bronze")
    full = request.mode == "full"
    manifest.effective_mode = request.mode
    ingested_at = utc_now()
    for entity in ENTITIES.values():
        counts = bronze.ingest(spark, fs, lake, entity, request.run_id, ingested_at, full)
        manifest.tables[entity.name] = counts
        batches = bronze.bronze_batches(fs, lake, entity)
        manifest.watermark[entity.name] = {"last_batch": batches[-1] if batches else None}
    return _record(fs, request, manifest)


def run_silver(spark: SparkSession, request: RunRequest) -> Manifest:
    fs, lake = LakeFS(spark), request.lake
    manifest = _manifest(request, "silver")
    state_uri = lake.state_file("silver")
    state = load_silver(fs, state_uri)
    modes = set()
    for entity in ENTITIES.values():
        available = bronze.bronze_batches(fs, lake, entity)
        mark = state.entities.get(entity.name, EntityWatermark())
        has_table = fs.exists(lake.silver_table(entity.name))
        full = request.mode == "full" or not has_table or not mark.batches
        todo = available if full else [b for b in available if b not in set(mark.batches)]
        modes.add("full" if full else "incremental")
        if not todo:
            counts = SilverCounts(batches=[], silver_rows_before=mark.rows, silver_rows_after=mark.rows)
            if full:
                fs.delete(lake.silver_table(entity.name))
                counts.silver_rows_before = counts.silver_rows_after = 0
                state.entities[entity.name] = EntityWatermark()
        elif full:
            if entity is ORDERS:
                # Logged before the table changes, so gold never misses a change.
                state.log_change(request.run_id, None)
                save(fs, state_uri, state)
            result = silver.build_full(spark, fs, lake, entity, request.run_id, todo)
            counts = result.counts
            mark = EntityWatermark(todo, result.max_updated_at, counts.silver_rows_after)
            state.entities[entity.name] = mark
        else:
            result = silver.merge_incremental(spark, fs, lake, entity, request.run_id, todo)
            counts = result.counts
            if entity is ORDERS:
                state.log_change(request.run_id, result.changed_dates)
                save(fs, state_uri, state)
            assert result.staging is not None
            fs.move(result.staging, lake.silver_table(entity.name))
            highest = max(filter(None, [mark.max_updated_at, result.max_updated_at]), default=None)
            mark = EntityWatermark([*mark.batches, *todo], highest, counts.silver_rows_after)
            state.entities[entity.name] = mark
        manifest.tables[entity.name] = counts.as_dict()
        manifest.problems += [f"{entity.name}: {p}" for p in counts.problems()]
        current = state.entities.get(entity.name, EntityWatermark())
        manifest.watermark[entity.name] = {
            "last_batch": current.last_batch,
            "batches": len(current.batches),
            "max_updated_at": current.max_updated_at,
        }
    save(fs, state_uri, state)
    manifest.effective_mode = "full" if modes == {"full"} else "incremental"
    return _record(fs, request, manifest)


def run_gold(spark: SparkSession, request: RunRequest) -> Manifest:
    fs, lake = LakeFS(spark), request.lake
    manifest = _manifest(request, "gold")
    silver_state = load_silver(fs, lake.state_file("silver"))
    gold_state = load_gold(fs, lake.state_file("gold"))
    pending = [c for c in silver_state.changes if c.seq > gold_state.applied_seq]
    # Rebuild everything when asked, when there is no table yet, when silver was rebuilt,
    # or when the change log no longer reaches back to what gold last applied.
    full = (
        request.mode == "full"
        or not fs.exists(lake.gold_table(DAILY_SALES))
        or any(c.dates is None for c in pending)
        or bool(pending and pending[0].seq != gold_state.applied_seq + 1)
        or silver_state.last_seq < gold_state.applied_seq
    )
    dates = None if full else sorted({d for c in pending for d in c.dates or []})
    manifest.effective_mode = "full" if full else "incremental"
    counts: dict[str, object] = {"rows_in": 0, "rows_excluded": 0, "rows_out": gold_state.rows}
    if not fs.exists(lake.silver_table(ORDERS.name)):
        manifest.problems.append("silver orders table does not exist; run silver first")
    elif dates is None or dates:
        result = gold.build(spark, fs, lake, request.run_id, dates)
        counts = {
            "rows_in": result.rows_in,
            "rows_excluded": result.rows_excluded,
            "rows_out": result.rows_out,
        }
        gold_state.rows = result.rows_out
    counts["dates_recomputed"] = "all" if dates is None else len(dates)
    manifest.tables[DAILY_SALES] = counts
    gold_state.applied_seq = silver_state.last_seq
    save(fs, lake.state_file("gold"), gold_state)
    manifest.watermark = {"silver_change_seq": gold_state.applied_seq}
    return _record(fs, request, manifest)


RUNNERS: Final[dict[str, Callable[[SparkSession, RunRequest], Manifest]]] = {
    "bronze": run_bronze,
    "silver": run_silver,
    "gold": run_gold,
}


def run(spark: SparkSession, request: RunRequest) -> list[Manifest]:
    """Run the requested stages in medallion order; returns one manifest per stage."""
    unknown = set(request.stages) - set(STAGES)
    if unknown or request.mode not in MODES:
        raise ValueError(f"unknown stage(s) {sorted(unknown)} or mode {request.mode!r}")
    configure(spark)
    return [RUNNERS[stage](spark, request) for stage in STAGES if stage in request.stages]
