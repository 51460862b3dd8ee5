"""`lakelab cohort down` asks before it destroys a cohort's stacks.

Pulumi and the Azure CLI are stand-in scripts on PATH that record their calls (see
conftest.py); AWS is a real moto server. The refusal runs the command in a new process with no
terminal on stdin, as a script would. The answers "n" and "y" need a terminal, which Typer's
CliRunner never is: those tests replace `confirm.is_interactive` (the seam
`lakelab.app.confirm` offers for this) and type the answer on stdin.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cohort_harness import DEMO_STACKS, FakeCli, Moto, run
from typer.testing import CliRunner, Result

from lakelab.app import confirm
from lakelab.app.main import app

REFUSAL = (
    "error: lakelab cohort down destroys 4 stacks of cohort demo on the clouds; pass --yes to"
    " confirm"
)


@pytest.fixture
def deployed(home: Path, fake: FakeCli, moto: Moto) -> FakeCli:
    assert run("cohort", "up", "--cohort", "demo").returncode == 0
    assert sorted(fake.stacks()) == sorted(DEMO_STACKS)
    return fake


def destroyed(fake: FakeCli) -> list[str]:
    return [a[a.index("--stack") + 1] for a in fake.argv("destroy") if "--stack" in a]


def answer(monkeypatch: pytest.MonkeyPatch, text: str, *args: str) -> Result:
    monkeypatch.setattr(confirm, "is_interactive", lambda: True)
    monkeypatch.setenv("COLUMNS", "250")
    return CliRunner().invoke(app, list(args), input=text)


@pytest.mark.parametrize("extra", [(), ("--json",)], ids=["table", "json"])
def test_without_a_terminal_it_refuses_and_touches_nothing(
    deployed: FakeCli, extra: tuple[str, ...]
) -> None:
    result = run("cohort", "down", "--cohort", "demo", *extra)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [REFUSAL]
    assert result.stdout == ""
    assert destroyed(deployed) == []
    assert sorted(deployed.stacks()) == sorted(DEMO_STACKS)


def test_json_refuses_even_at_a_terminal(
    deployed: FakeCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--json writes a document on stdout: it never turns into a conversation."""
    result = answer(monkeypatch, "y\n", "cohort", "down", "--cohort", "demo", "--json")
    assert result.exit_code != 0
    assert str(result.exception) == REFUSAL.removeprefix("error: ")
    assert destroyed(deployed) == []


def test_answered_no_it_changes_nothing(deployed: FakeCli, monkeypatch: pytest.MonkeyPatch) -> None:
    result = answer(monkeypatch, "n\n", "cohort", "down", "--cohort", "demo")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "lakelab cohort down destroys 4 stacks of cohort demo on the clouds:"
    assert "  demo-alice-aws: learner alice on aws (us-east-1)" in lines
    assert lines[-1] == "nothing changed"
    assert destroyed(deployed) == []
    assert sorted(deployed.stacks()) == sorted(DEMO_STACKS)


def test_answered_yes_it_destroys_the_stacks_listed(
    deployed: FakeCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = answer(
        monkeypatch, "y\n", "cohort", "down", "--cohort", "demo", "--stack", "demo-bob-aws"
    )
    assert result.exit_code == 0, result.output
    assert "destroys 1 stack of cohort demo on the clouds:" in result.output
    assert destroyed(deployed) == ["demo-bob-aws"]
    assert "demo-bob-aws" not in deployed.stacks()
