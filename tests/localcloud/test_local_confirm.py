"""`lakelab local rm` and `lakelab local down --purge` ask before they destroy.

Real twin (moto on a free port, AWS learner only). The refusal runs the command in a new
process with no terminal on stdin, as a script would. The answers "n" and "y" need a terminal,
which Typer's CliRunner never is: those tests replace `confirm.is_interactive` (the one seam
`lakelab.app.confirm` offers for this) and type the answer on stdin.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from twin_harness import TwinEnv, run_cli
from typer.testing import CliRunner, Result

from lakelab.app import confirm
from lakelab.app.main import app
from localcloud import twin

STACK = "demo-alice-aws"


def answer(monkeypatch: pytest.MonkeyPatch, text: str, *args: str) -> Result:
    """`lakelab <args>` at a terminal where the user types `text`."""
    monkeypatch.setattr(confirm, "is_interactive", lambda: True)
    monkeypatch.setenv("COLUMNS", "250")
    return CliRunner().invoke(app, list(args), input=text)


def files_of(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def alice(fresh: TwinEnv) -> TwinEnv:
    twin.up([STACK], spark=False)
    return fresh


def test_rm_without_a_terminal_refuses_and_removes_nothing(alice: TwinEnv) -> None:
    before = files_of(alice.state)
    result = run_cli("rm", "--stack", STACK)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: lakelab local rm destroys 1 learner of the local twin ({STACK}); pass --yes"
        " to confirm"
    ]
    assert result.stdout == ""
    assert [r.stack for r in twin.provisioned([STACK])] == [STACK]
    assert twin.up([STACK], spark=False).missing == {}
    assert files_of(alice.state) == before


def test_rm_answered_no_changes_nothing(alice: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    result = answer(monkeypatch, "n\n", "local", "rm", "--stack", STACK)
    assert result.exit_code == 0, result.output
    assert f"lakelab local rm destroys 1 learner of the local twin ({STACK}):" in result.output
    assert (
        f"  {STACK}: learner alice on aws, 7 buckets, 4 databases, 1 users, 1 workgroups,"
        " identity ll-demo-alice and its credentials, all their data\n" in result.output
    )
    assert result.output.rstrip().endswith("nothing changed")
    assert [r.stack for r in twin.provisioned([STACK])] == [STACK]


def test_rm_answered_yes_removes(alice: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    result = answer(monkeypatch, "y\n", "local", "rm", "--stack", STACK)
    assert result.exit_code == 0, result.output
    assert f"removed {STACK}" in result.output
    assert twin.provisioned([STACK]) == []


def test_purge_without_a_terminal_refuses_and_deletes_nothing(alice: TwinEnv) -> None:
    before = files_of(alice.state)
    result = run_cli("down", "--purge")
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: lakelab local down --purge destroys all of the local twin's")
    assert line.endswith("; pass --yes to confirm")
    assert files_of(alice.state) == before
    assert twin.status().emulators[0].state == "running"  # not even stopped


def test_purge_answered_no_changes_nothing(alice: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    before = files_of(alice.state)
    result = answer(monkeypatch, "n\n", "local", "down", "--purge")
    assert result.exit_code == 0, result.output
    assert "(1 learner;" in result.output
    assert result.output.rstrip().endswith("nothing changed")
    assert files_of(alice.state) == before


def test_purge_answered_yes_deletes_everything(
    alice: TwinEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = answer(monkeypatch, "y\n", "local", "down", "--purge")
    assert result.exit_code == 0, result.output
    assert "purged the local twin's data" in result.output
    assert [p.name for p in alice.state.iterdir() if p.name != ".lock"] == []
