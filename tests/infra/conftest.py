"""Fixtures for the Pulumi program tests.

The Pulumi engine and the cloud control planes cannot run here, so these tests run the real
program under Pulumi's mock runtime (`lakelab.plan`). The mocks stand in only for the engine
and the clouds; the blueprint, the components and the policies are the real code.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakelab.plan import Plan, plan_stack

ROOT = Path(__file__).resolve().parents[2]
DEMO_STACKS = ("demo-alice-aws", "demo-alice-azure", "demo-bob-aws", "demo-bob-azure")


@pytest.fixture(scope="session")
def demo_plans() -> dict[str, Plan]:
    return {stack: plan_stack(stack) for stack in DEMO_STACKS}


@pytest.fixture(scope="session")
def aws_plan(demo_plans: dict[str, Plan]) -> Plan:
    return demo_plans["demo-alice-aws"]


@pytest.fixture(scope="session")
def azure_plan(demo_plans: dict[str, Plan]) -> Plan:
    return demo_plans["demo-alice-azure"]


@pytest.fixture()
def scratch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the project's stacks/ that a test may add stack files to."""
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    monkeypatch.setenv("LAKELAB_HOME", str(tmp_path))
    yield tmp_path
