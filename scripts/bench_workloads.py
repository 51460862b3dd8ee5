"""Benchmark the medallion workload end to end on local folders.

    python scripts/bench_workloads.py [--orders 1000000] [--changes 1000] [--spread]
                                      [--warmup] [--workdir DIR] [--json FILE] [--dbt]

Steps, all on the same generated data in one run:
  1. generate N synthetic orders (plus customers and products) as landing CSVs;
  2. Spark (local[2]): full run (bronze, silver, gold), timed per stage;
  3. the DuckDB reference pipeline: the same full run, in a child process;
  4. land K changed orders; Spark incremental run; DuckDB incremental run;
  5. optionally dbt over the Spark silver layer (`--dbt`, see `run_dbt`);
  6. check that Spark and DuckDB agree on gold, and print stage times, rows/s and peak
     memory (RSS of the process tree: Python plus the Spark JVM, or the DuckDB process).

Targets on 2 cores: full Spark run <= 30 s; incremental <= 15% of the full run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FULL_TARGET_S = 30.0
INCREMENTAL_TARGET = 0.15
STAGES = ("bronze", "silver", "gold")


# --- memory ---------------------------------------------------------------------------------
def _tree(root: int) -> list[int]:
    """`root` and all its descendants, from /proc (psutil is not a dependency)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a live process has used."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_cpu_seconds(root: int) -> float:
    return sum(_cpu_seconds(p) for p in _tree(root))


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


class PeakRss:
    """Samples the RSS of a process tree every 50 ms; `peak` is the highest sum seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(_rss_bytes(p) for p in _tree(self.pid)))
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


# --- results --------------------------------------------------------------------------------
@dataclass
class RunTiming:
    """One engine's run: seconds and input rows per stage, CPU seconds, peak RSS."""

    seconds: dict[str, float] = field(default_factory=dict)
    rows_in: dict[str, int] = field(default_factory=dict)
    # CPU seconds of the whole process tree: on a shared machine, wall time depends on the
    # neighbours; CPU time much less so. On 2 idle cores, wall >= cpu / 2.
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


@dataclass
class Results:
    orders: int
    changes: int
    spread: bool
    generate_s: float = 0.0
    changes_s: float = 0.0
    spark_session_s: float = 0.0
    warmup_s: float | None = None
    runs: dict[str, RunTiming] = field(default_factory=dict)
    gold_matches: bool | None = None
    dbt: dict[str, float] | None = None
    # 1-minute load averages sampled after each step: other work on the machine.
    load_average: list[float] = field(default_factory=list)


@contextmanager
def timed() -> Iterator[list[float]]:
    box: list[float] = []
    started = time.perf_counter()
    yield box
    box.append(time.perf_counter() - started)


# --- the Spark pipeline ---------------------------------------------------------------------
def spark_lake(work: Path) -> Any:
    from lakelab_jobs.layout import Lake

    base = work / "spark"
    return Lake(
        landing=str(work / "landing"),
        bronze=str(base / "bronze"),
        silver=str(base / "silver"),
        gold=str(base / "gold"),
        quarantine=str(base / "quarantine"),
    )


def spark_run(spark: Any, lake: Any, run_id: str, mode: str) -> RunTiming:
    """One Spark run, stage by stage, with the row counts from its manifests."""
    from lakelab_jobs.pipeline import RunRequest, run

    timing = RunTiming()
    cpu_before = tree_cpu_seconds(os.getpid())
    with PeakRss(os.getpid()) as rss:
        for stage in STAGES:
            (manifest,) = run(spark, RunRequest(lake, f"{run_id}-{stage}", mode, (stage,)))  # type: ignore[arg-type]
            timing.seconds[stage] = manifest.duration_s
            tables = manifest.tables.values()
            timing.rows_in[stage] = sum(int(t.get("rows_in", 0)) for t in tables)
    timing.cpu_s = tree_cpu_seconds(os.getpid()) - cpu_before
    timing.peak_rss_mb = rss.peak / 2**20
    return timing


def warm_up(spark: Any, work: Path) -> float:
    """Run every code path once on a tiny data set, so the JVM has compiled its hot code."""
    from lakelab_jobs.layout import Lake
    from lakelab_jobs.pipeline import RunRequest, run
    from lakelab_jobs.synthetic import SyntheticSpec, write_base, write_changes

    root = work / "warmup"
    spec = SyntheticSpec(orders=5_000, seed=99)
    with timed() as took:
        write_base(root / "landing", spec)
        run(spark, RunRequest(Lake.under(root), "warmup-full", "full"))
        write_changes(root / "landing", spec, 100)
        run(spark, RunRequest(Lake.under(root), "warmup-incremental", "incremental"))
    shutil.rmtree(root)
    return took[0]


# --- the DuckDB reference, in its own process -----------------------------------------------
def duckdb_run(work: Path, incremental: bool) -> RunTiming:
    command = [sys.executable, __file__, "--duckdb-step", str(work)]
    if incremental:
        command.append("--incremental")
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    with PeakRss(process.pid) as rss:
        output, _ = process.communicate()
    if process.returncode:
        raise RuntimeError(f"DuckDB reference failed ({process.returncode})")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    report = json.loads(output.strip().splitlines()[-1])
    timing = RunTiming(seconds=report["seconds"], cpu_s=cpu, peak_rss_mb=rss.peak / 2**20)
    timing.rows_in = report["rows_in"]
    return timing


def duckdb_step(work: Path, incremental: bool) -> None:
    from lakelab_jobs.reference import ReferenceLake, run_reference

    report = run_reference(work / "landing", ReferenceLake(work / "duckdb"), incremental)
    print(json.dumps(report))


# --- dbt (extension point) ------------------------------------------------------------------
def run_dbt(silver_uri: str, work: Path) -> dict[str, float]:
    """Build the dbt project (models, snapshot, data tests, unit tests) over the Spark
    silver layer into a scratch DuckDB file; return the seconds of the build."""
    import runpy
    import time

    repo = Path(__file__).resolve().parent.parent
    run = runpy.run_path(str(repo / "workloads" / "dbt" / "run_dbt.py"))["run"]
    started = time.perf_counter()
    code = run("build", silver_uri=silver_uri, duckdb_path=str(work / "dbt" / "warehouse.duckdb"))
    if code != 0:
        raise RuntimeError(f"dbt build failed with exit code {code}")
    return {"dbt build": round(time.perf_counter() - started, 2)}


# --- report ---------------------------------------------------------------------------------
def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>12,.0f}" if seconds > 0 and rows else f"{'-':>12}"


def report(results: Results) -> str:
    lines = [
        f"orders: {results.orders:,}  changes: {results.changes:,}"
        f"{' (spread over all dates)' if results.spread else ''}  cores: {os.cpu_count()}",
        f"generate landing: {results.generate_s:.2f}s   changes batch: {results.changes_s:.2f}s",
        f"spark session start: {results.spark_session_s:.2f}s"
        + (f"   warm-up run: {results.warmup_s:.2f}s" if results.warmup_s is not None else ""),
        "",
        f"{'run':<22}{'stage':<8}{'seconds':>9}{'rows in':>12}{'rows/s':>12}",
        "(seconds: wall clock; cpu: CPU seconds of the engine's processes, all stages)",
    ]
    for name, timing in results.runs.items():
        for stage in STAGES:
            seconds = timing.seconds.get(stage, 0.0)
            rows = timing.rows_in.get(stage, 0)
            lines.append(f"{name:<22}{stage:<8}{seconds:>9.2f}{rows:>12,}{_rate(rows, seconds)}")
        lines.append(
            f"{name:<22}{'total':<8}{timing.total:>9.2f}{'':>12}{'':>12}"
            f"   cpu {timing.cpu_s:.1f}s   peak RSS {timing.peak_rss_mb:,.0f} MB"
        )
    full, incremental = results.runs.get("spark full"), results.runs.get("spark incremental")
    if full and incremental:
        share = incremental.total / full.total
        lines += [
            "",
            f"load average while running: {results.load_average}",
            "",
            f"spark full run {full.total:.2f}s (target <= {FULL_TARGET_S:.0f}s): "
            + ("met" if full.total <= FULL_TARGET_S else "NOT met"),
            f"spark incremental {incremental.total:.2f}s = {share:.1%} of full "
            f"(target <= {INCREMENTAL_TARGET:.0%}): "
            + ("met" if share <= INCREMENTAL_TARGET else "NOT met"),
            f"(by CPU seconds: incremental = {incremental.cpu_s / full.cpu_s:.1%} of full)",
        ]
    if results.gold_matches is not None:
        lines.append(f"spark and duckdb gold identical: {'yes' if results.gold_matches else 'NO'}")
    if results.dbt:
        lines.append("dbt: " + ", ".join(f"{k} {v:.2f}s" for k, v in results.dbt.items()))
    return "\n".join(lines)


def gold_rows(folder: Path) -> list[tuple[Any, ...]]:
    import pyarrow.parquet as pq

    table = pq.read_table(folder, partitioning=None)
    return sorted(tuple(r.values()) for r in table.to_pylist())


# --- main -----------------------------------------------------------------------------------
def benchmark(options: argparse.Namespace, work: Path) -> Results:
    from lakelab_jobs.session import local_session
    from lakelab_jobs.synthetic import SyntheticSpec, write_base, write_changes

    spec = SyntheticSpec(orders=options.orders)
    results = Results(options.orders, options.changes, options.spread)

    def step(text: str) -> None:
        results.load_average.append(round(os.getloadavg()[0], 2))
        print(f"... {text}", file=sys.stderr, flush=True)

    step("generating landing data")
    with timed() as took:
        write_base(work / "landing", spec)
    results.generate_s = took[0]

    step("starting Spark")
    with timed() as took:
        spark = local_session(cores=2, app_name="lakelab-bench")
    results.spark_session_s = took[0]
    if options.warmup:
        step("warm-up run")
        results.warmup_s = warm_up(spark, work)

    lake = spark_lake(work)
    step("spark full run")
    results.runs["spark full"] = spark_run(spark, lake, "bench-full", "full")
    if not options.skip_duckdb:
        step("duckdb full run")
        results.runs["duckdb full"] = duckdb_run(work, incremental=False)

    step(f"landing {options.changes} changes")
    with timed() as took:
        write_changes(work / "landing", spec, options.changes, spread=options.spread)
    results.changes_s = took[0]

    step("spark incremental run")
    results.runs["spark incremental"] = spark_run(spark, lake, "bench-incremental", "incremental")
    if not options.skip_duckdb:
        step("duckdb incremental run")
        results.runs["duckdb incremental"] = duckdb_run(work, incremental=True)
        spark_gold = gold_rows(work / "spark" / "gold" / "daily_sales")
        results.gold_matches = spark_gold == gold_rows(work / "duckdb" / "gold" / "daily_sales")
    if options.dbt:
        step("dbt")
        results.dbt = run_dbt(lake.silver, work)
    spark.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--spread", action="store_true", help="changes spread over all dates")
    parser.add_argument("--warmup", action="store_true", help="warm the JVM on tiny data first")
    parser.add_argument("--workdir", type=Path, help="keep the data here (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--dbt", action="store_true", help="also time dbt (see run_dbt)")
    parser.add_argument("--duckdb-step", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--incremental", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.duckdb_step:  # the child process of duckdb_run
        duckdb_step(options.duckdb_step, options.incremental)
        return 0
    if options.workdir:
        shutil.rmtree(options.workdir, ignore_errors=True)
        options.workdir.mkdir(parents=True)
        results = benchmark(options, options.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="lakelab-bench-") as scratch:
            results = benchmark(options, Path(scratch))
    print(report(results))
    if options.json:
        options.json.write_text(json.dumps(asdict(results), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
