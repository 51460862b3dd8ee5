"""Benchmark the medallion workload end to end on local folders, Spark beside DuckDB.

    python scripts/bench_workloads.py [--orders 1000000] [--changes 1000] [--spread]
                                      [--warmup] [--workdir DIR] [--json FILE] [--dbt]

Steps, all on the same generated data in one run:
  1. generate N synthetic orders (plus customers and products) as landing CSVs;
  2. the DuckDB reference pipeline: full run, in a child process;
  3. Spark (local[2]) in a child process: session start, full run (bronze, silver, gold),
     then K changed orders are landed (not timed) and the incremental run follows on the
     same session;
  4. the DuckDB reference: incremental run over the same changes (copy-on-write, as Spark);
  5. optionally dbt over the Spark silver layer (`--dbt`, see `run_dbt`);
  6. check that Spark and DuckDB agree on gold (rows, and the content checksum in Spark's
     gold manifest), print the figures with the machine's load average beside them and
     write a JSON record (`--json`, default `<results>/bench/workloads-<time>.json`).

What is measured: wall seconds and CPU seconds of the engine's whole process tree (Python
plus the JVM, or the DuckDB process); peak RSS of that tree, sampled from this process (the
sampler is not inside the measured one). The Spark full figure includes the session start.
Rows/s divide the same counts on both sides: landing rows (bronze, silver) and silver order
rows read (gold). On a shared machine wall time depends on the neighbours; CPU seconds much
less so: read wall figures with the load average printed beside them.

Targets on 2 idle cores (issue 16): Spark full run end to end <= 30 s wall, <= 4x the DuckDB
reference's CPU seconds, <= 3 GB peak RSS; incremental <= 10% of the full run.
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
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

# The measuring and the report are in the modules beside this script.
from bench_measure import PeakRss, load_average, timed, tree_cpu_seconds
from bench_report import Results, RunTiming, report

STAGES = ("bronze", "silver", "gold")


# --- the Spark pipeline, in its own process -------------------------------------------------
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


def _announce(phase: str) -> None:
    """Tell the parent (which samples memory) which phase starts now."""
    print(f"@phase {phase}", flush=True)


def spark_run(spark: Any, lake: Any, run_id: str, mode: str) -> dict[str, Any]:
    """One Spark run, stage by stage, with the row counts from its manifests."""
    from lakelab_jobs.pipeline import RunRequest, run

    seconds: dict[str, float] = {}
    rows_in: dict[str, int] = {}
    checksum = ""
    cpu_before, started = tree_cpu_seconds(os.getpid()), time.perf_counter()
    for stage in STAGES:
        (manifest,) = run(spark, RunRequest(lake, f"{run_id}-{stage}", mode, (stage,)))  # type: ignore[arg-type]
        seconds[stage] = manifest.duration_s
        tables = manifest.tables.values()
        rows_in[stage] = sum(int(t.get("rows_in", 0)) for t in tables)
        if stage == "gold":
            checksum = str(manifest.tables["daily_sales"].get("checksum", ""))
    return {
        "seconds": seconds,
        "rows_in": rows_in,
        "wall_s": time.perf_counter() - started,
        "cpu_s": tree_cpu_seconds(os.getpid()) - cpu_before,
        "gold_checksum": checksum,
    }


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


def spark_child(options: argparse.Namespace) -> None:
    """The Spark side (a child process): session start, full run, changes, incremental run;
    the last line of output is the JSON report."""
    from lakelab_jobs.session import local_session
    from lakelab_jobs.synthetic import SyntheticSpec, write_changes

    work = options.spark_step
    report: dict[str, Any] = {}
    _announce("session")
    cpu_before, started = tree_cpu_seconds(os.getpid()), time.perf_counter()
    spark = local_session(cores=2, app_name="lakelab-bench", log_file=work / "spark.log")
    report["session"] = {
        "wall_s": time.perf_counter() - started,
        "cpu_s": tree_cpu_seconds(os.getpid()) - cpu_before,
    }
    if options.warmup:
        _announce("warmup")
        report["warmup_s"] = warm_up(spark, work)
    lake = spark_lake(work)
    _announce("full")
    report["full"] = spark_run(spark, lake, "bench-full", "full")
    _announce("changes")
    spec = SyntheticSpec(orders=options.orders)
    with timed() as took:
        write_changes(work / "landing", spec, options.changes, spread=options.spread)
    report["changes_s"] = took[0]
    _announce("incremental")
    report["incremental"] = spark_run(spark, lake, "bench-incremental", "incremental")
    _announce("done")
    spark.stop()
    print(json.dumps(report), flush=True)


def _child(command: list[str]) -> tuple[subprocess.Popen[str], IO[str]]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout


def spark_side(options: argparse.Namespace, work: Path, results: Results) -> None:
    command = [sys.executable, __file__, "--spark-step", str(work)]
    command += ["--orders", str(options.orders), "--changes", str(options.changes)]
    command += ["--spread"] * options.spread + ["--warmup"] * options.warmup
    process, stdout = _child(command)
    last = ""
    with PeakRss(process.pid) as rss:
        for line in stdout:
            if line.startswith("@phase "):
                rss.phase = line.split()[1]
                results.load_average[f"spark {rss.phase}"] = load_average()
                print(f"... spark: {rss.phase}", file=sys.stderr, flush=True)
            elif line.strip():
                last = line
        process.wait()
    if process.returncode:
        raise RuntimeError(f"the Spark run failed ({process.returncode})")
    report = json.loads(last)
    mb = {k: v / 2**20 for k, v in rss.by_phase.items()}
    session = report["session"]
    results.spark_session_s, results.spark_session_cpu_s = session["wall_s"], session["cpu_s"]
    results.warmup_s = report.get("warmup_s")
    results.changes_s = report["changes_s"]
    full, incremental = report["full"], report["incremental"]
    results.runs["spark full"] = RunTiming(
        seconds={"session": round(session["wall_s"], 3), **full["seconds"]},
        rows_in=full["rows_in"],
        wall_s=session["wall_s"] + full["wall_s"],
        cpu_s=session["cpu_s"] + full["cpu_s"],
        peak_rss_mb=max(mb.get("session", 0), mb.get("warmup", 0), mb.get("full", 0)),
        load_average=results.load_average.get("spark changes", []),
        gold_checksum=full["gold_checksum"],
    )
    results.runs["spark incremental"] = RunTiming(
        seconds=incremental["seconds"],
        rows_in=incremental["rows_in"],
        wall_s=incremental["wall_s"],
        cpu_s=incremental["cpu_s"],
        peak_rss_mb=mb.get("incremental", 0),
        load_average=results.load_average.get("spark done", []),
        gold_checksum=incremental["gold_checksum"],
    )


# --- the DuckDB reference, in its own process -----------------------------------------------
def duckdb_run(work: Path, incremental: bool) -> RunTiming:
    command = [sys.executable, __file__, "--duckdb-step", str(work)]
    if incremental:
        command.append("--incremental")
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process, stdout = _child(command)
    with PeakRss(process.pid) as rss:
        output = stdout.read()
        process.wait()
    wall = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"DuckDB reference failed ({process.returncode})")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    report = json.loads(output.strip().splitlines()[-1])
    return RunTiming(
        seconds=report["seconds"],
        rows_in=report["rows_in"],
        wall_s=wall,
        cpu_s=cpu,
        peak_rss_mb=rss.peak / 2**20,
        load_average=load_average(),
    )


def duckdb_step(work: Path, incremental: bool) -> None:
    from lakelab_jobs.reference import ReferenceLake, run_reference

    report = run_reference(work / "landing", ReferenceLake(work / "duckdb"), incremental)
    print(json.dumps(report))


# --- dbt (extension point) ------------------------------------------------------------------
def run_dbt(silver_uri: str, work: Path) -> dict[str, float]:
    """Build the dbt project (models, snapshot, data tests, unit tests) over the Spark
    silver layer into a scratch DuckDB file; return the seconds of the build."""
    import runpy

    repo = Path(__file__).resolve().parent.parent
    run = runpy.run_path(str(repo / "workloads" / "dbt" / "run_dbt.py"))["run"]
    started = time.perf_counter()
    code = run("build", silver_uri=silver_uri, duckdb_path=str(work / "dbt" / "warehouse.duckdb"))
    if code != 0:
        raise RuntimeError(f"dbt build failed with exit code {code}")
    return {"dbt build": round(time.perf_counter() - started, 2)}


def gold_rows(folder: Path) -> list[tuple[Any, ...]]:
    import pyarrow.parquet as pq

    table = pq.read_table(folder, partitioning=None)
    return sorted(tuple(r.values()) for r in table.to_pylist())


def compare_gold(results: Results, work: Path) -> None:
    from lakelab_jobs.checksum import parquet_checksum
    from lakelab_jobs.contract import DAILY_SALES_SCHEMA

    spark_gold, duck_gold = work / "spark" / "gold" / "daily_sales", work / "duckdb" / "gold"
    results.gold_matches = gold_rows(spark_gold) == gold_rows(duck_gold / "daily_sales")
    sums = {
        results.runs["spark incremental"].gold_checksum,
        str(parquet_checksum(spark_gold, DAILY_SALES_SCHEMA)),
        str(parquet_checksum(duck_gold / "daily_sales", DAILY_SALES_SCHEMA)),
    }
    results.checksums_match = len(sums) == 1


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent,
            check=False,
        )
    except OSError:
        return ""
    return out.stdout.strip()


# --- main -----------------------------------------------------------------------------------
def benchmark(options: argparse.Namespace, work: Path) -> Results:
    from lakelab_jobs.synthetic import SyntheticSpec, write_base

    spec = SyntheticSpec(orders=options.orders)
    results = Results(options.orders, options.changes, options.spread)
    results.started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    results.cores, results.commit = os.cpu_count() or 0, _commit()

    def step(text: str) -> None:
        results.load_average[text] = load_average()
        print(f"... {text} (load {results.load_average[text]})", file=sys.stderr, flush=True)

    step("generating landing data")
    with timed() as took:
        write_base(work / "landing", spec)
    results.generate_s = took[0]
    if not options.skip_duckdb:
        step("duckdb full run")
        results.runs["duckdb full"] = duckdb_run(work, incremental=False)
    step("spark session, full run, changes, incremental run")
    spark_side(options, work, results)
    if not options.skip_duckdb:
        step("duckdb incremental run")
        results.runs["duckdb incremental"] = duckdb_run(work, incremental=True)
        compare_gold(results, work)
    if options.dbt:
        step("dbt")
        results.dbt = run_dbt(spark_lake(work).silver, work)
    step("done")
    return results


def default_json() -> Path:
    from lakelab.settings import Settings

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Settings.current().results_dir / "bench" / f"workloads-{stamp}.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--spread", action="store_true", help="changes spread over all dates")
    parser.add_argument("--warmup", action="store_true", help="warm the JVM on tiny data first")
    parser.add_argument("--workdir", type=Path, help="keep the data here (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="where to write the JSON record")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--dbt", action="store_true", help="also time dbt (see run_dbt)")
    parser.add_argument("--duckdb-step", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--spark-step", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--incremental", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.duckdb_step:  # the child process of duckdb_run
        duckdb_step(options.duckdb_step, options.incremental)
        return 0
    if options.spark_step:  # the child process of spark_side
        spark_child(options)
        return 0
    if options.orders < 1 or options.changes < 1:
        print("error: --orders and --changes must be at least 1", file=sys.stderr)
        return 2
    if options.workdir:
        shutil.rmtree(options.workdir, ignore_errors=True)
        options.workdir.mkdir(parents=True)
        results = benchmark(options, options.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="lakelab-bench-") as scratch:
            results = benchmark(options, Path(scratch))
    print(report(results))
    target = options.json or default_json()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(asdict(results), indent=2) + "\n")
    print(f"JSON record: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
