"""`--local`: the cohort commands on the local twin. The twin's own operations are tested with
the twin (tests/localcloud); here they are replaced by a recording stand-in, so these tests
check only how the cohort commands drive them. Nothing reaches a cloud."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rich.console import Console

from lakelab.cohort import lifecycle, records
from lakelab.cohort.status import gather, render_html
from lakelab.errors import UserError


@dataclass
class Record:
    stack: str
    resources: dict[str, list[str]]


@dataclass
class Report:
    stacks: list[Record]


@dataclass
class Up:
    started: list[str] = field(default_factory=list)
    provisioned: list[str] = field(default_factory=list)
    endpoints: dict[str, str] = field(default_factory=dict)


@dataclass
class Twin:
    provisioned: dict[str, int] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)

    def up(self, stacks: list[str], cohort: str | None = None) -> Up:
        (stack,) = stacks
        self.calls.append(("up", stack))
        if stack in self.broken:
            raise UserError(f"provisioning {stack} failed and was rolled back: boom")
        self.provisioned[stack] = 9
        return Up(provisioned=[stack], endpoints={"aws": "http://127.0.0.1:5055"})

    def rm(self, stacks: list[str]) -> list[str]:
        (stack,) = stacks
        self.calls.append(("rm", stack))
        return [stack] if self.provisioned.pop(stack, None) is not None else []

    def status(self) -> Report:
        return Report(
            [Record(s, {"buckets": ["b"] * n}) for s, n in sorted(self.provisioned.items())]
        )


@pytest.fixture()
def twin(monkeypatch: pytest.MonkeyPatch) -> Twin:
    from localcloud import twin as module

    fake = Twin()
    monkeypatch.setattr(module, "up", fake.up)
    monkeypatch.setattr(module, "rm", fake.rm)
    monkeypatch.setattr(module, "status", fake.status)
    return fake


def quiet() -> Console:
    return Console(file=io.StringIO(), width=200)


def test_local_up_is_resumable_and_records_failures(home: Path, twin: Twin) -> None:
    twin.broken = {"demo-bob-azure"}
    report = lifecycle.up("demo", cloud=None, workers=4, local=True, force=False, console=quiet())
    assert [o.result for o in report.outcomes] == ["succeeded", "succeeded", "succeeded", "failed"]
    assert (
        report.failed[0].message == "provisioning demo-bob-azure failed and was rolled back: boom"
    )
    assert [c[1] for c in twin.calls] == [
        "demo-alice-aws",
        "demo-alice-azure",
        "demo-bob-aws",
        "demo-bob-azure",
    ]
    twin.broken = set()
    again = lifecycle.up("demo", cloud=None, workers=4, local=True, force=False, console=quiet())
    assert twin.calls[4:] == [("up", "demo-bob-azure")]
    assert sorted(o.result for o in again.outcomes) == [
        "skipped",
        "skipped",
        "skipped",
        "succeeded",
    ]
    states = records.states("demo", "local")
    assert {s.status for s in states.values()} == {"up"}
    assert records.states("demo", "cloud") == {}

    status = gather("demo", local=True)
    assert [(r.learner, r.cloud, r.state, r.resources, r.cost_to_date) for r in status.rows] == [
        ("alice", "aws", "provisioned", 9, 0.0),
        ("alice", "azure", "provisioned", 9, 0.0),
        ("bob", "aws", "provisioned", 9, 0.0),
        ("bob", "azure", "provisioned", 9, 0.0),
    ]
    assert "Cohort demo on the local twin" in render_html(status)


def test_local_down_removes_twins_and_reports_leftovers(
    home: Path, twin: Twin, monkeypatch: pytest.MonkeyPatch
) -> None:
    lifecycle.up("demo", cloud=None, workers=1, local=True, force=False, console=quiet())
    report = lifecycle.down(
        "demo", stacks=["demo-alice-aws"], workers=1, local=True, console=quiet()
    )
    assert report.clean and twin.calls[-1] == ("rm", "demo-alice-aws")
    assert "demo-alice-aws" not in twin.provisioned

    # A twin that survives its removal is a leftover.
    from localcloud import twin as module

    monkeypatch.setattr(module, "rm", lambda stacks: [])
    report = lifecycle.down("demo", stacks=["demo-bob-aws"], workers=1, local=True, console=quiet())
    assert not report.clean
    assert [f.name for f in report.leftovers] == ["demo-bob-aws"]
