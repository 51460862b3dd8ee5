"""Helpers shared by the cohort, cost and compare tests (fixtures are in conftest.py).

Nothing in these tests can reach a cloud or a Pulumi backend: the Pulumi CLI and the Azure CLI
are stand-in scripts put first on PATH (fake_pulumi.py, fake_az.py) that record their calls and
fake their answers, and AWS is a moto server on a free local port.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DEMO_STACKS = ("demo-alice-aws", "demo-alice-azure", "demo-bob-aws", "demo-bob-azure")
LAKELAB = [sys.executable, "-m", "lakelab"]


def wrapper(bin_dir: Path, name: str, script: Path) -> None:
    path = bin_dir / name
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n')
    path.chmod(0o755)


@dataclass
class FakeCli:
    """The stand-in `pulumi` (and `az`) on PATH, and what they were asked to do."""

    bin: Path
    state: Path
    az_state: Path

    def calls(self) -> list[dict[str, Any]]:
        path = self.state / "calls.jsonl"
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    def argv(self, command: str) -> list[list[str]]:
        words = command.split()
        return [c["argv"] for c in self.calls() if c["argv"][: len(words)] == words]

    def stacks(self) -> dict[str, Any]:
        path = self.state / "state.json"
        return json.loads(path.read_text())["stacks"] if path.is_file() else {}

    def violations(self) -> str:
        path = self.state / "violations.txt"
        return path.read_text() if path.is_file() else ""

    def az_calls(self) -> list[list[str]]:
        path = Path(f"{self.az_state}.calls")
        return (
            [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []
        )

    def set_azure(self, groups: list[dict[str, Any]], resources: list[dict[str, Any]]) -> None:
        self.az_state.write_text(json.dumps({"groups": groups, "resources": resources}))

    def azure(self) -> dict[str, Any]:
        return json.loads(self.az_state.read_text())  # type: ignore[no-any-return]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`lakelab ...` as a script runs it (stdin is no terminal), with the test's environment."""
    full = {**os.environ, "COLUMNS": "250", **(env or {})}
    return subprocess.run(
        [*LAKELAB, *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@dataclass
class Moto:
    url: str

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def client(self, service: str, region: str = "us-east-1") -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass
