"""The `pulumi` commands an acceptance run needs, run as the instructor would type them.

Each command runs in the project folder (where `Pulumi.yaml` is) with `--non-interactive`;
its output goes to the run's log, never to the terminal, because `stack output
--show-secrets` carries the learner's secrets. A failing command raises `CliFailed` with its
last error line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakelab.errors import UserError


class CliFailed(RuntimeError):
    pass


def _last_error(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    return (errors or lines or ["no output"])[-1]


@dataclass
class PulumiCli:
    stack: str
    project: Path
    log: Path
    policy_pack: Path

    @classmethod
    def found(cls, stack: str, project: Path, log: Path, policy_pack: Path) -> PulumiCli:
        if shutil.which("pulumi") is None:
            raise UserError(
                "the Pulumi CLI is not installed; `lakelab verify --stack"
                f" {stack} --dry-run` shows the steps without it"
            )
        return cls(stack, project, log, policy_pack)

    def _run(self, *args: str, secret: bool = False) -> str:
        env = os.environ | {"PULUMI_SKIP_UPDATE_CHECK": "true"}
        proc = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as fh:
            fh.write(f"$ pulumi {' '.join(args)}  (exit {proc.returncode})\n")
            fh.write("(output not logged: it holds secrets)\n" if secret else proc.stdout)
            fh.write(proc.stderr)
        if proc.returncode != 0:
            raise CliFailed(f"pulumi {args[0]} failed: {_last_error(proc.stderr + proc.stdout)}")
        return proc.stdout

    def resources(self) -> int | None:
        """The stack's resource count, or None when the backend has no such stack."""
        listed = json.loads(self._run("stack", "ls", "--json") or "[]")
        for entry in listed:
            if entry.get("name") == self.stack:
                return int(entry.get("resourceCount") or 0)
        return None

    def init(self) -> None:
        self._run("stack", "init", self.stack)

    def preview(self) -> None:
        self._run("preview", "--stack", self.stack, "--policy-pack", str(self.policy_pack))

    def up(self) -> None:
        self._run(
            "up",
            "--stack",
            self.stack,
            "--yes",
            "--skip-preview",
            "--policy-pack",
            str(self.policy_pack),
        )

    def outputs(self) -> dict[str, Any]:
        text = self._run(
            "stack", "output", "--stack", self.stack, "--json", "--show-secrets", secret=True
        )
        value = json.loads(text or "{}")
        return dict(value) if isinstance(value, dict) else {}

    def destroy(self) -> None:
        self._run("destroy", "--stack", self.stack, "--yes")
