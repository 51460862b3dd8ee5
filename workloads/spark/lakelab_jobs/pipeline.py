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
from lakelab_jobs.contract import DAILY_SALES, ENTITIES, ORDERS, Entity
from lakelab_jobs.lakefs import LakeFS, join
from lakelab_jobs.layout import Lake
from lakelab_jobs.manifest import Manifest, ReconciliationError, SilverCounts, utc_now
from lakelab_jobs.session import configure
from lakelab_jobs.state import EntityWatermark, Publish, load_gold, load_silver, save
from lakelab_jobs.timing import recording, step

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


StageBody = Callable[[SparkSession, LakeFS, RunRequest, Manifest], None]


def _stage(name: str, body: StageBody, spark: SparkSession, request: RunRequest) -> Manifest:
    """Run one stage body with its manifest: timed, step by step, and recorded."""
    fs = LakeFS(spark)
    manifest = _manifest(request, name)
    with recording(manifest.steps):
        body(spark, fs, request, manifest)
    return _record(fs, request, manifest)


# --- bronze ---------------------------------------------------------------------------------
def _bronze(spark: SparkSession, fs: LakeFS, request: RunRequest, manifest: Manifest) -> None:
    lake, full = request.lake, request.mode == "full"
    manifest.effective_mode = request.mode
    ingested_at = utc_now()
    # Every header first: a bad file stops the run before any table changes.
    for entity in ENTITIES.values():
        todo = bronze.pending_batches(fs, lake, entity, full)
        bronze.check_headers(fs, lake, entity, todo)
    for entity in ENTITIES.values():
        counts = bronze.ingest(spark, fs, lake, entity, request.run_id, ingested_at, full)
        manifest.tables[entity.name] = counts
        batches = bronze.bronze_batches(fs, lake, entity)
        manifest.watermark[entity.name] = {"last_batch": batches[-1] if batches else None}


# --- silver ---------------------------------------------------------------------------------
def publish(fs: LakeFS, table: str, plan: Publish) -> None:
    """Move staged files into `table` and drop the files they replace. Safe to repeat."""
    for name in fs.list_files(plan.staging):
        fs.move(join(plan.staging, name), join(table, name))
    for uri in plan.replaced_files:
        fs.delete(uri)
    fs.delete(plan.staging)


class _SilverRun:
    """One silver run: the state file, and each entity merged or rebuilt against it."""

    def __init__(self, spark: SparkSession, fs: LakeFS, request: RunRequest) -> None:
        self.spark, self.fs, self.request = spark, fs, request
        self.state_uri = request.lake.state_file("silver")
        self.state = load_silver(fs, self.state_uri)

    def save(self) -> None:
        save(self.fs, self.state_uri, self.state)

    def entity(self, entity: Entity) -> tuple[SilverCounts, bool]:
        """Bring one entity's silver table up to date; returns its counts and whether it
        was rebuilt in full."""
        lake, name = self.request.lake, entity.name
        table = lake.silver_table(name)
        unfinished = self.state.publishing.pop(name, None)
        if unfinished is not None:  # an earlier run stopped half-way through publishing
            publish(self.fs, table, unfinished)
            self.save()
        mark = self.state.entities.get(name, EntityWatermark())
        available = bronze.bronze_batches(self.fs, lake, entity)
        full = self.request.mode == "full" or not mark.batches or not self.fs.exists(table)
        todo = available if full else [b for b in available if b not in set(mark.batches)]
        if not todo:
            if full:  # nothing in bronze: no table
                self.fs.delete(table)
                self.state.entities[name] = mark = EntityWatermark()
            return SilverCounts([], silver_rows_before=mark.rows, silver_rows_after=mark.rows), full
        return (self._rebuild(entity, todo) if full else self._merge(entity, mark, todo)), full

    def _rebuild(self, entity: Entity, batches: list[str]) -> SilverCounts:
        if entity is ORDERS:
            # Logged before the table changes, so gold never misses a change.
            self.state.log_change(self.request.run_id, None)
            self.save()
        result = silver.build_full(
            self.spark, self.fs, self.request.lake, entity, self.request.run_id, batches
        )
        counts = result.counts
        self.state.entities[entity.name] = EntityWatermark(
            batches, result.max_updated_at, counts.silver_rows_after
        )
        return counts

    def _merge(self, entity: Entity, mark: EntityWatermark, batches: list[str]) -> SilverCounts:
        lake, run_id = self.request.lake, self.request.run_id
        result = silver.merge_incremental(self.spark, self.fs, lake, entity, run_id, batches)
        if entity is ORDERS:
            self.state.log_change(run_id, result.changed_dates)
        assert result.staging is not None
        plan = Publish(result.staging, result.replaced_files)
        # Recorded first: a run that stops inside publish() is completed by the next one.
        self.state.publishing[entity.name] = plan
        self.save()
        with step(f"{entity.name}.publish"):
            publish(self.fs, lake.silver_table(entity.name), plan)
        del self.state.publishing[entity.name]
        latest = max(filter(None, [mark.max_updated_at, result.max_updated_at]), default=None)
        counts = result.counts
        self.state.entities[entity.name] = EntityWatermark(
            [*mark.batches, *batches], latest, counts.silver_rows_after
        )
        return counts


def _silver(spark: SparkSession, fs: LakeFS, request: RunRequest, manifest: Manifest) -> None:
    run = _SilverRun(spark, fs, request)
    rebuilt = []
    for entity in ENTITIES.values():
        counts, full = run.entity(entity)
        rebuilt.append(full)
        manifest.tables[entity.name] = counts.as_dict()
        manifest.problems += [f"{entity.name}: {p}" for p in counts.problems()]
        mark = run.state.entities.get(entity.name, EntityWatermark())
        manifest.watermark[entity.name] = {
            "last_batch": mark.last_batch,
            "batches": len(mark.batches),
            "max_updated_at": mark.max_updated_at,
        }
    run.save()
    manifest.effective_mode = "full" if all(rebuilt) else "incremental"


# --- gold -----------------------------------------------------------------------------------
def _gold(spark: SparkSession, fs: LakeFS, request: RunRequest, manifest: Manifest) -> None:
    lake = request.lake
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
    counts: dict[str, object] = {
        "rows_in": 0,
        "rows_excluded": 0,
        "rows_out": gold_state.rows,
        "checksum": gold_state.checksum,
    }
    if not fs.exists(lake.silver_table(ORDERS.name)):
        manifest.problems.append("silver orders table does not exist; run silver first")
    elif dates is None or dates:
        result = gold.build(spark, fs, lake, request.run_id, dates)
        counts = {
            "rows_in": result.rows_in,
            "rows_excluded": result.rows_excluded,
            "rows_out": result.rows_out,
            "checksum": result.checksum,
        }
        gold_state.rows, gold_state.checksum = result.rows_out, result.checksum
    counts["dates_recomputed"] = "all" if dates is None else len(dates)
    manifest.tables[DAILY_SALES] = counts
    gold_state.applied_seq = silver_state.last_seq
    save(fs, lake.state_file("gold"), gold_state)
    manifest.watermark = {"silver_change_seq": gold_state.applied_seq}


# --- entry ----------------------------------------------------------------------------------
BODIES: Final[dict[str, StageBody]] = {"bronze": _bronze, "silver": _silver, "gold": _gold}


def run_bronze(spark: SparkSession, request: RunRequest) -> Manifest:
    return _stage("bronze", _bronze, spark, request)


def run_silver(spark: SparkSession, request: RunRequest) -> Manifest:
    return _stage("silver", _silver, spark, request)


def run_gold(spark: SparkSession, request: RunRequest) -> Manifest:
    return _stage("gold", _gold, spark, request)


def run(spark: SparkSession, request: RunRequest) -> list[Manifest]:
    """Run the requested stages in medallion order; returns one manifest per stage."""
    unknown = set(request.stages) - set(STAGES)
    if unknown or request.mode not in MODES:
        raise ValueError(f"unknown stage(s) {sorted(unknown)} or mode {request.mode!r}")
    configure(spark)
    return [_stage(s, BODIES[s], spark, request) for s in STAGES if s in request.stages]
