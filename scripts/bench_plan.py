"""Benchmark of cohort-wide planning, on this machine, as an instructor types it.

    python scripts/bench_plan.py [--learners 100] [--workers N]

A cohort of N learners on both clouds (2N stacks) is written by `lakelab cohort init` into a
temporary `LAKELAB_HOME`; then, each in a new process:

1. `lakelab policy check --cohort bench`  (target for 100 learners: 60 s wall)
2. `lakelab plan --cohort bench`          (target for 100 learners: 60 s wall)

Each figure is the wall clock and the CPU seconds of the process and its workers, printed with
the machine's load average (the figures only mean something on an idle machine) and written as
one JSON record to `bench-plan.json` in the current folder.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 60.0


def tree_cpu(proc: psutil.Process, seen: dict[tuple[int, float], float]) -> None:
    """Record the CPU seconds of every process under `proc` (the workers are grandchildren,
    under the fork server, so the OS's child accounting does not reach them)."""
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for p in family:
        try:
            with p.oneshot():
                times = p.cpu_times()
                seen[(p.pid, p.create_time())] = times.user + times.system
        except psutil.NoSuchProcess:
            continue


def lakelab(home: Path, *args: str, workers: int | None = None) -> dict[str, Any]:
    """Run one `lakelab` command in a new process; its wall clock and CPU seconds (sampled
    every 50 ms, so the last 50 ms of each worker may be missed)."""
    env = {**os.environ, "LAKELAB_HOME": str(home), "COLUMNS": "200"}
    extra = ["--workers", str(workers)] if workers else []
    command = [sys.executable, "-m", "lakelab", *args, *extra]
    seen: dict[tuple[int, float], float] = {}
    start = time.perf_counter()
    with subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as popen:
        watched = psutil.Process(popen.pid)
        while popen.poll() is None:
            tree_cpu(watched, seen)
            time.sleep(0.05)
        wall = time.perf_counter() - start
        stderr = popen.stderr.read() if popen.stderr else ""
    if popen.returncode != 0:
        raise SystemExit(f"error: lakelab {' '.join(args)} failed:\n{stderr[-2000:]}")
    processes = len(seen)
    return {
        "command": f"lakelab {' '.join([*args, *extra])}",
        "wall_s": wall,
        "cpu_s": sum(seen.values()),
        "processes": processes,
    }


def write_cohort(home: Path, learners: int) -> None:
    (home / "stacks").mkdir(parents=True)
    roster = home / "roster.csv"
    rows = ["id,name,email,clouds,azurePrincipalId"]
    for i in range(learners):
        rows.append(
            f"l{i:03d},Learner {i},l{i:03d}@example.com,aws;azure,00000000-0000-4000-8000-{i:012d}"
        )
    roster.write_text("\n".join(rows) + "\n")
    lakelab(
        home,
        "cohort",
        "init",
        str(roster),
        "--cohort",
        "bench",
        "--expires",
        "2030-06-30",
        "--budget",
        "40",
        "--allow-ip",
        "203.0.113.0/24",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lakelab-bench-plan-") as tmp:
        home = Path(tmp)
        write_cohort(home, args.learners)
        stacks = 2 * args.learners
        figures = [
            lakelab(home, "policy", "check", "--cohort", "bench", workers=args.workers),
            lakelab(home, "plan", "--cohort", "bench", workers=args.workers),
        ]
    load = os.getloadavg()
    print(f"{stacks} stacks ({args.learners} learners x 2 clouds), {os.cpu_count()} cores")
    for f in figures:
        verdict = "meets" if f["wall_s"] <= TARGET_S else "MISSES"
        print(
            f"  {f['command']:<50} {f['wall_s']:6.1f} s wall  {f['cpu_s']:6.1f} CPU-s  "
            f"{f['cpu_s'] / stacks:.2f} CPU-s/stack  ({verdict} the {TARGET_S:.0f} s target)"
        )
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    record = {
        "benchmark": "plan",
        "learners": args.learners,
        "stacks": stacks,
        "cores": os.cpu_count(),
        "load_average": load,
        "figures": figures,
    }
    Path("bench-plan.json").write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
