"""Benchmark of the local twin, on this machine, with real emulators.

    python scripts/bench_localcloud.py [--runs 3] [--learners 30]

Figures (wall clock, median of the runs, from a purged state folder each time):

1. cold start: `lakelab local up --cloud aws --cloud azure --stack <one learner>` in a new
   process running the app behind `lakelab local` (Python start-up, checks, both emulators
   started and healthy, the learner provisioned), once with an AWS learner and once with an
   Azure learner. Target: 3 s.
2. a cohort: `lakelab local up --cohort bench` with N learners (half on AWS, half on Azure),
   cold, in a new process. Target for 30 learners: 30 s.
3. restart with that cohort: `lakelab local down` then `lakelab local up` (journal replay).

Everything runs in a temporary state folder on free loopback ports; nothing else is touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from lakelab.clouds import cloud_for
from localcloud.emulators import free_port

ROOT = Path(__file__).resolve().parent.parent
CLI = "from lakelab.app.errors import run_app; from lakelab.app.local import app; run_app(app)"


def write_stack(home: Path, cohort: str, learner: str, cloud: str) -> str:
    target = cloud_for(cloud)
    region, provider = target.default_region, target.region_config_key
    name = f"{cohort}-{learner}-{cloud}"
    (home / "stacks" / f"Pulumi.{name}.yaml").write_text(
        "config:\n"
        f"  lakelab:cohort: {cohort}\n"
        f"  lakelab:learner: {learner}\n"
        "  lakelab:course: end-to-end-pipelines\n"
        f"  lakelab:cloud: {cloud}\n"
        f"  lakelab:region: {region}\n"
        '  lakelab:expires: "2030-06-30"\n'
        f"  lakelab:email: {learner}@example.com\n"
        "  lakelab:budgetUsd: 40\n"
        "  lakelab:access:\n"
        f"    azurePrincipalId: {uuid.uuid5(uuid.NAMESPACE_DNS, name)}\n"
        f"  {provider}: {region}\n"
    )
    return name


class Twin:
    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.state = root / "state"
        (self.home / "stacks").mkdir(parents=True)
        aws, azure = free_port(), free_port()
        while azure == aws:
            azure = free_port()
        self.env = {
            **os.environ,
            "LAKELAB_HOME": str(self.home),
            "LAKELAB_STATE_DIR": str(self.state),
            "LAKELAB_AWS_PORT": str(aws),
            "LAKELAB_AZURE_PORT": str(azure),
        }

    def run(self, *args: str) -> float:
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CLI, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if out.returncode != 0:
            raise SystemExit(f"`lakelab local {' '.join(args)}` failed:\n{out.stderr}")
        return elapsed

    def purge(self) -> None:
        self.run("down", "--purge", "--yes")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--learners", type=int, default=30)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="lakelab-bench-"))
    twin = Twin(root)
    try:
        aws_one = write_stack(twin.home, "solo", "ada", "aws")
        azure_one = write_stack(twin.home, "solo", "grace", "azure")
        cohort = [
            write_stack(twin.home, "bench", f"learner{i:02d}", "aws" if i % 2 else "azure")
            for i in range(args.learners)
        ]
        clouds = ("--cloud", "aws", "--cloud", "azure")
        figures: list[tuple[str, list[float], float | None]] = []

        for stack in (aws_one, azure_one):
            times = []
            for _ in range(args.runs):
                twin.purge()
                times.append(twin.run("up", *clouds, "--stack", stack))
            figures.append((f"cold start, both emulators + 1 learner ({stack})", times, 3.0))

        cohort_times, restart_times = [], []
        for _ in range(args.runs):
            twin.purge()
            cohort_times.append(twin.run("up", "--cohort", "bench"))
            twin.run("down")
            restart_times.append(twin.run("up"))
        aws_n = sum(1 for s in cohort if s.endswith("-aws"))
        label = f"{len(cohort)} learners cold ({aws_n} AWS, {len(cohort) - aws_n} Azure)"
        figures.append((label, cohort_times, 30.0))
        figures.append(
            (f"restart with {len(cohort)} learners (down, then up)", restart_times, None)
        )

        print(f"lakelab local twin benchmark ({os.cpu_count()} CPUs, {args.runs} runs, median)")
        for name, times, target in figures:
            median = statistics.median(times)
            verdict = "" if target is None else (" ok" if median <= target else " OVER TARGET")
            goal = "" if target is None else f"  target {target:g} s{verdict}"
            runs = ", ".join(f"{t:.2f}" for t in times)
            print(f"  {name:<58} {median:6.2f} s  ({runs}){goal}")
    finally:
        twin.purge()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
