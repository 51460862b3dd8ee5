"""Helpers for the `lakelab verify` tests.

No test here reaches a cloud or a Pulumi backend. The Pulumi CLI is the recording stand-in of
tests/cohort/fake_pulumi.py, first on PATH; AWS is a moto server (or the local twin's), which
answers S3, IAM and Glue workflow calls but never executes a workflow or SQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FAKE_PULUMI = ROOT / "tests" / "cohort" / "fake_pulumi.py"
LAKELAB = [sys.executable, "-m", "lakelab"]


def install_fake_pulumi(bin_dir: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / "pulumi"
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_PULUMI}" "$@"\n')
    path.chmod(0o755)


@dataclass
class Fake:
    state: Path
    outputs_file: Path

    def calls(self) -> list[list[str]]:
        path = self.state / "calls.jsonl"
        lines = path.read_text().splitlines() if path.is_file() else []
        return [json.loads(line)["argv"] for line in lines]

    def commands(self) -> list[str]:
        """Each call as its first words (`stack init`, `preview`, `up`, ...)."""
        return [" ".join(a[:2]) if a[0] == "stack" else a[0] for a in self.calls()]

    def set_outputs(self, stack: str, outputs: dict[str, Any]) -> None:
        self.outputs_file.write_text(json.dumps({stack: outputs}))

    def deploy(self, stack: str, resources: int) -> None:
        """A stack the backend already holds, with resources (a learner's live stack)."""
        self.state.mkdir(parents=True, exist_ok=True)
        (self.state / "state.json").write_text(
            json.dumps(
                {"stacks": {stack: {"resources": resources, "lastUpdate": None, "history": []}}}
            )
        )


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "250", **(env or {})}
    return subprocess.run(
        [*LAKELAB, *args], capture_output=True, text=True, env=full, timeout=600, cwd=ROOT
    )


def plan_outputs(stack: str) -> dict[str, Any]:
    """The stack's outputs as the offline plan has them (names as `up` would create them)."""
    from lakelab.plan import plan_stack

    return json.loads(json.dumps(plan_stack(stack).outputs, default=str))
