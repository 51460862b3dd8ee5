"""Benchmark of the local twin, on this machine, with real emulators, timing what a user types.

    python scripts/bench_localcloud.py [--runs 3] [--learners 30]

Figures (wall clock, median of the runs; each command is the `lakelab` script in a new process):

1. `lakelab --help`. Target: 0.4 s.
2. cold start: `lakelab local up --stack <one learner>` from a purged state folder: Python
   start-up, checks, the one emulator that stack needs started and healthy, the learner
   provisioned; once with an AWS learner, once with an Azure learner. Target: 2 s.
3. stop: SIGTERM sent to a running emulator until its process has exited (gone or a zombie
   awaiting its parent, the init process). Target: 0.5 s.
4. a cohort: `lakelab local up --cohort bench` with N learners (half on AWS, half on Azure),
   cold. Target for 30 learners: 30 s.
5. restart with that cohort: `lakelab local down` then `lakelab local up` (journal replay).

The machine's load average is printed beside the figures (they only mean something on an idle
machine) and everything is written as one JSON record to `bench-localcloud.json` in the current
folder. Everything runs in a temporary state folder on free loopback ports.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

from lakelab.clouds import cloud_for
from localcloud.prerequisites import free_port

ROOT = Path(__file__).resolve().parent.parent
# The console script pip installed beside this interpreter: exactly what a user types.
LAKELAB = str(Path(sys.executable).with_name("lakelab"))


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
            [LAKELAB, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if out.returncode != 0:
            raise SystemExit(f"`lakelab {' '.join(args)}` failed:\n{out.stderr}")
        return elapsed

    def purge(self) -> None:
        self.run("local", "down", "--purge", "--yes")

    def stop_time(self) -> float:
        """SIGTERM to each running emulator; the longest time until its process was gone."""
        longest = 0.0
        for pid_file in (self.state / "aws" / "moto.pid", self.state / "azure" / "azurite.pid"):
            if not pid_file.is_file():
                continue
            proc = psutil.Process(int(json.loads(pid_file.read_text())["pid"]))
            started = time.perf_counter()
            proc.terminate()
            while not _exited(proc):
                if time.perf_counter() - started > 10:
                    raise SystemExit(f"{pid_file.stem} still runs 10 s after SIGTERM")
                time.sleep(0.002)
            longest = max(longest, time.perf_counter() - started)
        return longest


def _exited(proc: psutil.Process) -> bool:
    """Gone, or a zombie: the process has exited. The emulators outlive the `lakelab` that
    started them, so their parent is the init process, whose reaping is not the emulator's
    time (some container and VM inits reap only every second or so)."""
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def report(figures: list[tuple[str, list[float], float | None]], runs: int) -> None:
    load = os.getloadavg()
    print(f"lakelab local twin benchmark ({os.cpu_count()} CPUs, {runs} runs, median)")
    for name, times, target in figures:
        median = statistics.median(times)
        verdict = "" if target is None else (" ok" if median <= target else " OVER TARGET")
        goal = "" if target is None else f"  target {target:g} s{verdict}"
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"  {name:<58} {median:6.2f} s  ({shown}){goal}")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    record = {
        "benchmark": "localcloud",
        "cores": os.cpu_count(),
        "load_average": load,
        "figures": [
            {"name": n, "runs_s": t, "median_s": statistics.median(t), "target_s": g}
            for n, t, g in figures
        ],
    }
    Path("bench-localcloud.json").write_text(json.dumps(record, indent=2) + "\n")


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
        figures: list[tuple[str, list[float], float | None]] = []
        figures.append(("lakelab --help", [twin.run("--help") for _ in range(args.runs)], 0.4))

        stops: list[float] = []
        for stack in (aws_one, azure_one):
            times = []
            for _ in range(args.runs):
                twin.purge()
                times.append(twin.run("local", "up", "--stack", stack))
                stops.append(twin.stop_time())
            figures.append((f"cold start: local up --stack {stack}", times, 2.0))
        figures.append(("an emulator stops after SIGTERM", stops, 0.5))

        cohort_times, restart_times = [], []
        for _ in range(args.runs):
            twin.purge()
            cohort_times.append(twin.run("local", "up", "--cohort", "bench"))
            twin.run("local", "down")
            restart_times.append(twin.run("local", "up"))
        aws_n = sum(1 for s in cohort if s.endswith("-aws"))
        label = f"{len(cohort)} learners cold ({aws_n} AWS, {len(cohort) - aws_n} Azure)"
        figures.append((label, cohort_times, 30.0))
        figures.append(
            (f"restart with {len(cohort)} learners (down, then up)", restart_times, None)
        )
        report(figures, args.runs)
    finally:
        twin.purge()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
