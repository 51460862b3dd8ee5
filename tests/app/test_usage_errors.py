"""Usage errors are one `error:` line with exit 2, through the installed `lakelab` command and
through the app object alike (Typer vendors its own click, whose errors must be caught)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lakelab.app.errors import run_app
from lakelab.app.main import app

LAKELAB = str(Path(sys.executable).parent / "lakelab")  # the console script pip installed
ROOT = Path(__file__).resolve().parents[2]

CASES = [
    (
        ["run", "--stack", "demo-alice-aws", "--mode", "part"],
        "Invalid value for '--mode': 'part' is not one of 'incremental', 'full'."
        " (see 'lakelab run --help')",
    ),
    (
        ["cohort", "up", "--cohort", "demo", "--cloud", "gcp"],
        "Invalid value for '--cloud': 'gcp' is not one of 'aws', 'azure'."
        " (see 'lakelab cohort up --help')",
    ),
    (["plan", "--bogus"], "No such option: --bogus (see 'lakelab plan --help')"),
    (["run"], "Missing option '--stack' / '-s'. (see 'lakelab run --help')"),
    (
        ["plan", "--workers", "0"],
        "Invalid value for '--workers': Input should be greater than or equal to 1"
        " (see 'lakelab plan --help')",
    ),
    (
        ["cohort", "init", "r.csv", "--cohort", "c", "--expires", "2030-01-01", "--budget", "abc"],
        "Invalid value for '--budget': Input should be a valid number, unable to parse string"
        " as a number (see 'lakelab cohort init --help')",
    ),
    (
        ["cohort", "init", "r.csv", "--cohort", "c", "--budget", "3", "--expires", "2030-13-45"],
        "Invalid value for '--expires': '2030-13-45' is not a date (YYYY-MM-DD)"
        " (see 'lakelab cohort init --help')",
    ),
    (
        ["cohort", "up", "--cohort", "demo", "--workers", "0"],
        "Invalid value for '--workers' / '-w': Input should be greater than or equal to 1"
        " (see 'lakelab cohort up --help')",
    ),
    (
        ["local", "up", "--aws-port", "70000"],
        "Invalid value for '--aws-port' (env var: 'LAKELAB_AWS_PORT'): Input should be less"
        " than or equal to 65535 (see 'lakelab local up --help')",
    ),
    (
        [
            "cohort",
            "init",
            "r.csv",
            "--cohort",
            "c",
            "--expires",
            "2030-01-01",
            "--budget",
            "3",
            "--warehouse",
            "huge",
        ],
        "Invalid value for '--warehouse': 'huge' is not one of 'none', 'serverless',"
        " 'provisioned'. (see 'lakelab cohort init --help')",
    ),
    (["frobnicate"], "No such command 'frobnicate'. (see 'lakelab --help')"),
    (["cohort", "frob"], "No such command 'frob'. (see 'lakelab cohort --help')"),
]


@pytest.mark.parametrize(("args", "message"), CASES, ids=[" ".join(c[0][:2]) for c in CASES])
def test_usage_error_is_one_line_from_the_app(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LAKELAB_AWS_PORT", raising=False)
    monkeypatch.setenv("COLUMNS", "400")
    with pytest.raises(SystemExit) as exit_info:
        run_app(app, args)
    captured = capsys.readouterr()
    assert exit_info.value.code == 2
    assert captured.err == f"error: {message}\n"
    assert captured.out == ""


@pytest.mark.parametrize(("args", "message"), CASES[:1] + CASES[3:4] + CASES[-2:-1])
def test_usage_error_is_one_line_from_the_installed_command(args: list[str], message: str) -> None:
    env = {**os.environ, "COLUMNS": "400", "PYTHONPATH": f"{ROOT}:{ROOT / 'workloads' / 'spark'}"}
    env.pop("LAKELAB_AWS_PORT", None)
    result = subprocess.run([LAKELAB, *args], capture_output=True, text=True, env=env, timeout=60)
    assert (result.returncode, result.stderr, result.stdout) == (2, f"error: {message}\n", "")
