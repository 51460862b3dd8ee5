"""incremental-vs-full: 1M CRM customers, 1,000 status changes a day; a full reload against a
CDC incremental load with an LSN watermark, timed side by side, proven equal. See guide.md."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

from labs.incremental_vs_full import table as t
from labs.incremental_vs_full.checks import check as _check
from labs.incremental_vs_full.generator import generate, parquet_bytes, scale, snapshot_doc
from labs.incremental_vs_full.solution import run as _run
from lakelab.labs.framework import LabBase, LabContext, LabInfo


class IncrementalVsFull(LabBase):
    grade = staticmethod(_check)
    info = LabInfo(
        id="incremental-vs-full",
        title="Incremental vs full load (1M customers, CDC)",
        summary=(
            "Build the same curated customer table by daily full reloads and by a CDC"
            " incremental load with an LSN watermark; time both and prove them equal."
        ),
        course_refs=(
            "Day 4 Session 2: Incremental vs Full Load",
            "End-to-End Pipelines 3.3 Incremental Processing and SCD",
            "End-to-End Pipelines 2.2 incremental keys and watermarking",
        ),
    )

    def start(self, ctx: LabContext) -> str:
        """Generate the CRM table over four days and land the extracts and the change feed.
        `LAKELAB_LAB_SCALE` scales the size (default 1: 1,000,000 customers)."""
        began = time.perf_counter()
        factor = scale()
        src = generate(ctx.seed, factor)
        objects: list[tuple[str, bytes]] = [
            (t.SOURCE_KEY, json.dumps({"scale": factor, **src.describe()}, indent=2).encode())
        ]
        for day, as_of, rows in src.snapshots:
            objects.append((t.snapshot_meta_key(day), snapshot_doc(day, as_of, rows.num_rows)))
            objects.append((t.snapshot_key(day), parquet_bytes(rows)))
        for feed in src.feeds:
            objects.append((t.changes_key(feed.day), parquet_bytes(feed.table)))
        stale = [
            k
            for p in t.LANDING_PREFIXES
            for k in ctx.lake.keys("landing", p)
            if k not in {key for key, _ in objects}
        ]
        ctx.lake.delete("landing", stale)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda kv: ctx.lake.put("landing", kv[0], kv[1]), objects))
        size = sum(len(b) for _, b in objects) / 1e6
        ctx.log(
            f"landed {len(objects)} objects ({size:.0f} MB) in {time.perf_counter() - began:.1f}s"
        )
        return (
            f"{src.customers:,} customers on {src.snapshots[0][0]}, then {len(src.feeds)} days of"
            f" {src.changes_per_day:,} status changes: full extracts and the change feed are in"
            " landing/crm/"
        )

    def run(self, ctx: LabContext) -> str:
        results = _run(ctx.lake, ctx.work_dir, ctx.log)
        same = "the same table" if results["same_result"] else "DIFFERENT tables"
        return (
            f"full reloads {results['full']['daily_seconds']:.2f}s vs incremental"
            f" {results['incremental']['daily_seconds']:.2f}s over {len(results['days'])} days"
            f" ({results['speedup']}x); both built {same} ({results['checksum']})"
        )

    def reset(self, ctx: LabContext) -> str:
        removed = 0
        for layer, prefixes in (
            ("landing", t.LANDING_PREFIXES),
            ("silver", t.SILVER_PREFIXES),
            ("gold", t.GOLD_PREFIXES),
        ):
            keys = [k for p in prefixes for k in ctx.lake.keys(layer, p)]
            ctx.lake.delete(layer, keys)
            removed += len(keys)
        return f"removed {removed} objects"


LAB = IncrementalVsFull()
