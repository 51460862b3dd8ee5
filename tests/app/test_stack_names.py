"""Stack names that cannot name a stack are refused in one line before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakelab.app.errors import run_app
from lakelab.app.main import app

LONG = "a" * 300
COMMANDS = [
    ["plan"],
    ["run"],
    ["sql", "select 1"],
    ["local", "env"],
    ["local", "rm"],
    ["local", "show"],
    ["lab", "check", "medallion"],
    ["lab", "reset", "medallion"],
    ["cost"],
    ["policy", "check"],
]


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        run_app(app, args)
    return int(exit_info.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_long_name_is_one_line(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    args = (
        [*command[:2], "--stack", LONG, *command[2:]]
        if len(command) > 1
        else [*command, "--stack", LONG]
    )
    code, err = _run(args, capsys)
    assert (code, err) == (2, f"error: stack name '{'a' * 40}...' is 300 characters; at most 100\n")


def test_run_refuses_a_climbing_name_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    (state / "runs").mkdir(parents=True)
    (tmp_path / "somewhere").mkdir()
    monkeypatch.setenv("LAKELAB_STATE_DIR", str(state))
    monkeypatch.setenv("COLUMNS", "400")
    code, err = _run(["run", "--stack", "../../somewhere"], capsys)
    assert code == 2
    assert err == (
        "error: stack name '../../somewhere' may only use letters, digits, '-', '_' and '.',"
        " and not start with '.' (e.g. demo-alice-aws)\n"
    )
    assert list((tmp_path / "somewhere").iterdir()) == []


def test_run_of_an_unknown_stack_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKELAB_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COLUMNS", "400")
    code, err = _run(["run", "--stack", "nosuch-x-aws"], capsys)
    assert code == 2
    assert err.startswith("error: unknown stack 'nosuch-x-aws': no Pulumi.nosuch-x-aws.yaml")
    assert err.count("\n") == 1
    assert not (tmp_path / "state" / "runs" / "nosuch-x-aws").exists()
