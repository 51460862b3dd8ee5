"""What each step of the pipeline definition does on a learner's local twin.

- `land`: a day of the shared workload's sample sources for the run date (`lakelab data load`);
- `bronze`, `silver`, `gold`: that medallion stage on local Spark over the mirrored lake, then
  the changes pushed back (bronze first checks landing holds something, before Spark starts);
- `catalog`: tables and partitions registered in the learner's catalog;
- `dbt`: the shared dbt project built over the mirrored silver (DuckDB, the twin's target);
- `quality_gate`: this run's stage manifests are all there and gold holds rows.

One Spark session serves every stage of a run; the learner's own credentials reach the lake.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from lakelab.errors import UserError
from lakelab.lake import lake_for
from lakelab.pipeline.sources import land_day, reachable, require_landing
from lakelab.twinrun import mirror_root, pull, push, register_catalog, results_dir, spark_session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

STAGES = ("bronze", "silver", "gold")


class TwinSteps:
    def __init__(
        self,
        stack: str,
        run_id: str,
        run_date: date,
        mode: str,
        *,
        rows: int = 2000,
        log: Callable[[str], None] = print,
    ) -> None:
        self.stack, self.run_id, self.run_date, self.mode = stack, run_id, run_date, mode
        self.rows, self.log = rows, log
        self.lake = reachable(lake_for(stack), stack)
        self.root = mirror_root(stack)
        self._spark: SparkSession | None = None

    def actions(self) -> dict[str, Callable[[], str]]:
        stages: dict[str, Callable[[], str]] = {s: partial(self.stage, s) for s in STAGES}
        return {
            "land": self.land,
            **stages,
            "catalog": self.catalog,
            "dbt": self.dbt,
            "quality_gate": self.quality_gate,
        }

    def land(self) -> str:
        landed = land_day(self.lake, self.run_date, rows=self.rows)
        return f"landed batch {landed.batch}: {landed.rows['orders']:,} orders"

    def stage(self, stage: str) -> str:
        from lakelab_jobs.layout import Lake as JobLake
        from lakelab_jobs.pipeline import RunRequest, run

        if stage == STAGES[0]:
            require_landing(self.lake, self.stack)
            self.root.mkdir(parents=True, exist_ok=True)
            pulled = pull(self.lake, self.root)
            self.log(f"pulled {pulled} new object(s) from {self.stack}")
        if self._spark is None:
            self._spark = spark_session(self.stack)
        request = RunRequest(JobLake.under(self.root), self.run_id, self.mode, (stage,))  # type: ignore[arg-type]
        (manifest,) = run(self._spark, request)
        doc = json.loads(manifest.to_json())
        out = results_dir(self.stack)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{self.run_id}.{stage}.json").write_text(json.dumps(doc, indent=2))
        pushed, deleted = push(self.lake, self.root)
        return f"{doc.get('duration_s', 0):.1f}s; pushed {pushed}, removed {deleted}"

    def catalog(self) -> str:
        return f"{register_catalog(self.lake, self.root)} table(s) registered"

    def dbt(self) -> str:
        import runpy
        import subprocess
        from pathlib import Path

        script = Path(__file__).resolve().parents[2] / "workloads" / "dbt" / "run_dbt.py"
        dbt_command = runpy.run_path(str(script))["dbt_command"]
        work = self.root.parent / "dbt"
        work.mkdir(parents=True, exist_ok=True)
        argv, env = dbt_command(
            "build",
            silver_uri=str(self.root / "silver"),
            duckdb_path=str(work / "lakelab.duckdb"),
            extra_args=["--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        )
        log = work / "dbt-build.log"
        with open(log, "w") as out:
            code = subprocess.call(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        if code != 0:
            last = (log.read_text().strip().splitlines() or ["no output"])[-1]
            raise UserError(f"dbt build failed (exit {code}): {last} (log: {log})")
        return f"dbt build passed (log: {log})"

    def quality_gate(self) -> str:
        out = results_dir(self.stack)
        missing = [s for s in STAGES if not (out / f"{self.run_id}.{s}.json").is_file()]
        if missing:
            raise UserError(f"no manifest of {', '.join(missing)} for run {self.run_id}")
        gold = sorted((self.root / "gold" / "daily_sales").glob("*.parquet"))
        if not gold:
            raise UserError("gold daily_sales holds no file")
        import pyarrow.parquet as pq

        rows = sum(pq.read_metadata(p).num_rows for p in gold)
        if rows == 0:
            raise UserError("gold daily_sales holds no row")
        return f"manifests of {', '.join(STAGES)} present; gold daily_sales has {rows:,} rows"
