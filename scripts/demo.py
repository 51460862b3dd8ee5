"""`make demo`: the main job on the local twin.

1. The offline plans and policy results of the demo cohort's stacks.
2. The local twin: start the emulators and provision the demo learners on both clouds, and
   show what was created.
3. The main job: land a day of synthetic orders in alice's lake on AWS and on Azure, run the
   shared medallion workload on each twin, and query gold like Athena / Synapse serverless.
4. Shut the twin down cleanly (the demo's state lives in a temporary folder).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from localcloud.prerequisites import free_port

ROOT = Path(__file__).resolve().parent.parent
LAKELAB = [sys.executable, "-m", "lakelab"]
DEMO_ORDERS = 20_000


def step(title: str, *args: str, env: dict[str, str] | None = None) -> None:
    print(f"\n=== {title}: lakelab {' '.join(args)}", flush=True)
    subprocess.run([*LAKELAB, *args], check=True, cwd=ROOT, env=env)


def land_synthetic_orders(env: dict[str, str], stacks: list[str], folder: Path) -> None:
    print(f"\n=== landing {DEMO_ORDERS} synthetic orders in {', '.join(stacks)}", flush=True)
    code = (
        "import sys; from pathlib import Path\n"
        "from lakelab_jobs.synthetic import SyntheticSpec, write_base\n"
        "from lakelab.lake import lake_for, publish\n"
        f"folder = Path({str(folder)!r})\n"
        f"counts = write_base(folder, SyntheticSpec(orders={DEMO_ORDERS}, seed=7))\n"
        "for stack in sys.argv[1:]:\n"
        "    lake = lake_for(stack)\n"
        "    for entity in counts:\n"
        "        publish(lake, folder / entity, 'landing', entity)\n"
        "    print(stack, {e: lake.keys('landing', e + '/') for e in counts})\n"
    )
    subprocess.run([sys.executable, "-c", code, *stacks], check=True, cwd=ROOT, env=env)


def main() -> None:
    step("offline plan of demo-alice-aws", "plan", "--stack", "demo-alice-aws")
    step("offline plan of demo-alice-azure", "plan", "--stack", "demo-alice-azure")
    step("guardrails on the demo cohort", "policy", "check", "--cohort", "demo")

    with tempfile.TemporaryDirectory(prefix="lakelab-demo-") as scratch:
        # Its own state folder and free ports, so a learner's own twin is left alone.
        env = {
            **os.environ,
            "LAKELAB_STATE_DIR": str(Path(scratch) / "state"),
            "LAKELAB_AWS_PORT": str(free_port()),
            "LAKELAB_AZURE_PORT": str(free_port()),
        }
        try:
            step(
                "local twin: start and provision the demo cohort",
                "local",
                "up",
                "--cohort",
                "demo",
                env=env,
            )
            step("local twin: emulators", "local", "status", env=env)
            step("local twin: what was created", "local", "show", env=env)
            stacks = ["demo-alice-aws", "demo-alice-azure"]
            land_synthetic_orders(env, stacks, Path(scratch) / "landing")
            for stack in stacks:
                step(f"the medallion workload on {stack}", "run", "--stack", stack, env=env)
                step(
                    f"gold on {stack}",
                    "sql",
                    "--stack",
                    stack,
                    "select region, sum(orders) as orders, sum(revenue) as revenue"
                    " from daily_sales group by region order by region",
                    env=env,
                )
        finally:
            step("local twin: shut down", "local", "down", "--purge", "--yes", env=env)


if __name__ == "__main__":
    main()
