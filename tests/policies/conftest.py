"""Fixtures for the guardrail tests.

The Pulumi engine and the cloud control planes cannot run here, so plans come from the real
program (`infra/`) run from a stack config under Pulumi's mock runtime (`lakelab.plan`). Where
the program never declares what a policy exists to stop (a bucket policy, an untagged
resource), the test declares that resource with the real SDK beside the program, in the same
run. The policies, the blueprint and the org policy are the real code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from policy_harness import plan_with

from lakelab.plan import Plan


@pytest.fixture(scope="session")
def aws_plan() -> Plan:
    return plan_with("demo-alice-aws")


@pytest.fixture(scope="session")
def azure_plan() -> Plan:
    return plan_with("demo-alice-azure")


@pytest.fixture()
def beside(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Plan]:
    """`beside(stack, declare, **overrides)`: the plan of the real program for a stack config,
    with `declare(bp, lab)` adding resources in the same run."""
    import infra.program as program

    def plan(stack: str, declare: Callable[[Any, Any], None], **overrides: Any) -> Plan:
        original = program.build

        def build(bp: Any) -> Any:
            lab = original(bp)
            declare(bp, lab)
            return lab

        monkeypatch.setattr(program, "build", build)
        try:
            return plan_with(stack, **overrides)
        finally:
            monkeypatch.setattr(program, "build", original)

    return plan
