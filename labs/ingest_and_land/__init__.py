"""ingest-and-land: a CSV over HTTP and a paginated, flaky REST API into the landing layer,
with retries, dead letters, a manifest and idempotent reruns. See guide.md."""

from __future__ import annotations

import json
import shutil

from labs.ingest_and_land import layout
from labs.ingest_and_land.checks import check as _check
from labs.ingest_and_land.generator import CSV_NAME, api_token, generate
from lakelab.labs.framework import LabBase, LabContext, LabInfo


class IngestAndLand(LabBase):
    grade = staticmethod(_check)
    info = LabInfo(
        id="ingest-and-land",
        title="Ingest and land: CSV + REST API",
        summary=(
            "Land a CSV served over HTTP and a paginated REST API (bearer token, 429, 500s,"
            " an outage window) with retries, dead letters, a manifest and idempotent reruns."
        ),
        course_refs=(
            "End-to-End Pipelines 2.2 Connectors, APIs, and Files",
            "End-to-End Pipelines 2.3 Reliability and Error Handling",
            "End-to-End Pipelines Section 2 use case: Ingest and Land",
        ),
    )

    def start(self, ctx: LabContext) -> str:
        """Generate the sources into the work folder (to look at) and say how to serve them.
        Nothing is written to the lake: landing it is the learner's job."""
        src = generate(ctx.seed)
        folder = ctx.work_dir / "sources"
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "orders").mkdir(parents=True)
        (folder / CSV_NAME).write_bytes(src.csv_bytes)
        for page, body in enumerate(src.pages, start=1):
            (folder / "orders" / f"page={page:04d}.json").write_bytes(body)
        token = api_token(ctx.seed, ctx.stack)
        (folder / "source.json").write_text(
            json.dumps(
                {
                    "serve": f"python -m labs.ingest_and_land.sources --stack {ctx.stack}",
                    "token": token,
                    "csv_rows": src.csv_rows,
                    "orders": src.total_rows,
                    "pages": src.total_pages,
                },
                indent=2,
            )
        )
        ctx.log(f"a copy of both sources is in {folder}")
        ctx.log(
            f"serve them: python -m labs.ingest_and_land.sources --stack {ctx.stack}"
            " (prints the URLs and your token)"
        )
        return (
            f"{src.csv_rows:,} store sales (CSV) and {src.total_rows:,} web orders"
            f" ({src.total_pages} API pages) ready to ingest"
        )

    def run(self, ctx: LabContext) -> str:
        """Serve the sources in this process on a free port and run the pipeline twice:
        the second run must change nothing."""
        # Imported here: `python -m labs.ingest_and_land.sources|solution` run these modules.
        from labs.ingest_and_land.solution import ingest
        from labs.ingest_and_land.sources import SourceServer

        src = generate(ctx.seed)
        with SourceServer(src, api_token(ctx.seed, ctx.stack)) as endpoint:
            ctx.log(f"sources served at {endpoint.base_url}")
            first = ingest(ctx.lake, endpoint, log=ctx.log)
            second = ingest(ctx.lake, endpoint, log=ctx.log)
        same = "unchanged" if second.landing_checksum == first.landing_checksum else "CHANGED"
        return (
            f"{first.pages_landed}/{src.total_pages} pages and the CSV landed,"
            f" {first.pages_dead_lettered} dead-lettered; rerun wrote {second.written} objects,"
            f" landing checksum {same} ({second.landing_checksum[:12]})"
        )

    def reset(self, ctx: LabContext) -> str:
        keys = [k for p in layout.ALL_PREFIXES for k in ctx.lake.keys(layout.LAYER, p)]
        ctx.lake.delete(layout.LAYER, keys)
        shutil.rmtree(ctx.work_dir / "sources", ignore_errors=True)
        return f"removed {len(keys)} objects from landing"


LAB = IngestAndLand()
