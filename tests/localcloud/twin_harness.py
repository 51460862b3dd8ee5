"""Helpers for the local twin tests: real emulators, a scratch state folder and free ports.

Every twin here lives in its own temporary folder (`LAKELAB_STATE_DIR`) with its own stack
files (`LAKELAB_HOME`, a copy of the demo stacks) and random free ports. The environment is
set per test only, so nothing leaks into other test packages, and every twin is purged
(emulators stopped, data deleted) when its fixture ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.clients import Target
from lakelab.stackfiles import load_blueprint
from localcloud import twin
from localcloud.prerequisites import free_port
from localcloud.state import Paths, StackRecord, load

REPO = Path(__file__).resolve().parents[2]
DEMO_STACKS = ("demo-alice-aws", "demo-alice-azure", "demo-bob-aws", "demo-bob-azure")


def write_stack(home: Path, cohort: str, learner: str, cloud: str) -> str:
    """A stack file like the demo ones, for any learner."""
    region = "us-east-1" if cloud == "aws" else "westeurope"
    provider = "aws:region" if cloud == "aws" else "azure-native:location"
    name = f"{cohort}-{learner}-{cloud}"
    (home / "stacks").mkdir(parents=True, exist_ok=True)
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


@dataclass
class TwinEnv:
    """One twin's folders and ports; `active()` points lakelab at it."""

    home: Path
    state: Path
    aws_port: int
    azure_port: int

    def variables(self) -> dict[str, str]:
        return {
            "LAKELAB_HOME": str(self.home),
            "LAKELAB_STATE_DIR": str(self.state),
            "LAKELAB_AWS_PORT": str(self.aws_port),
            "LAKELAB_AZURE_PORT": str(self.azure_port),
        }

    @contextlib.contextmanager
    def active(self) -> Iterator[TwinEnv]:
        with pytest.MonkeyPatch.context() as mp:
            for key, value in self.variables().items():
                mp.setenv(key, value)
            mp.delenv("LAKELAB_AWS_ENDPOINT", raising=False)
            yield self

    @property
    def paths(self) -> Paths:
        return Paths(self.state)

    def admin(self, region: str = "us-east-1") -> Target:
        state = load(self.paths)
        assert state.aws.admin is not None
        keys = state.aws.admin
        return Target(state.aws.url, keys.access_key_id, keys.secret_access_key, region)

    def learner(self, stack: str) -> Target:
        return self.learner_target(load(self.paths).stacks[stack])

    def learner_target(self, record: StackRecord) -> Target:
        assert record.access_key_id is not None
        return Target(
            f"http://127.0.0.1:{self.aws_port}", record.access_key_id, record.secret, record.region
        )

    def record(self, stack: str) -> StackRecord:
        return load(self.paths).stacks[stack]


def make_env(root: Path, stacks: tuple[str, ...] = DEMO_STACKS) -> TwinEnv:
    home = root / "home"
    (home / "stacks").mkdir(parents=True)
    for stack in stacks:
        shutil.copy(REPO / "stacks" / f"Pulumi.{stack}.yaml", home / "stacks")
    aws_port = free_port()
    azure_port = free_port()
    while azure_port == aws_port:
        azure_port = free_port()
    return TwinEnv(home, root / "state", aws_port, azure_port)


def purge(env: TwinEnv) -> None:
    with env.active():
        twin.down(purge=True)


def blueprint(env: TwinEnv, stack: str) -> Blueprint:
    with env.active():
        return load_blueprint(stack)


def running_pids(env: TwinEnv) -> list[int]:
    pids = []
    for pid_file in (env.paths.aws_pid, env.paths.azure_pid):
        if pid_file.exists():
            pids.append(int(json.loads(pid_file.read_text())["pid"]))
    return pids


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


CLI = "from lakelab.app.errors import run_app; from lakelab.app.local import app; run_app(app)"


def run_cli(*args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    """`lakelab local <args>` in a new process, as `lakelab.cli.main` runs it."""
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,  # no terminal: destructive commands need --yes
        env={**os.environ, "COLUMNS": str(columns)},
    )


def learner_shell(stack: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The shell after `eval "$(lakelab local env --stack <stack>)"`: the exported variables
    set, no other AWS or Azure variable. Returns what was exported."""
    exported = dict(
        line.removeprefix("export ").split("=", 1)
        for line in twin.env(stack).splitlines()
        if line.startswith("export ")
    )
    exported = {k: v.strip("'") for k, v in exported.items()}
    for key in [k for k in os.environ if k.startswith(("AWS_", "AZURE_"))]:
        monkeypatch.delenv(key)
    for key, value in exported.items():
        monkeypatch.setenv(key, value)
    return exported
