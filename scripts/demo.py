"""`make demo`: the main job on the local twin.

1. The offline plans and policy results of the demo cohort's four stacks.
2. The local twin: start the emulators, provision the demo learners on both clouds, show
   what was created, and shut the twin down cleanly.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAKELAB = [sys.executable, "-m", "lakelab"]


def step(title: str, *args: str, env: dict[str, str] | None = None) -> None:
    print(f"\n=== {title}: lakelab {' '.join(args)}", flush=True)
    subprocess.run([*LAKELAB, *args], check=True, cwd=ROOT, env=env)


def main() -> None:
    for stack in ("demo-alice-aws", "demo-alice-azure"):
        step(f"offline plan of {stack}", "plan", "--stack", stack)
    step("guardrails on the demo cohort", "policy", "check", "--cohort", "demo")

    import os

    with tempfile.TemporaryDirectory(prefix="lakelab-demo-") as state:
        env = {**os.environ, "LAKELAB_STATE_DIR": state}
        try:
            step("local twin: start and provision the demo cohort", "local", "up", "--cohort", "demo", env=env)
            step("local twin: emulators", "local", "status", env=env)
            step("local twin: what was created", "local", "show", env=env)
        finally:
            step("local twin: shut down", "local", "down", "--purge", env=env)


if __name__ == "__main__":
    main()
