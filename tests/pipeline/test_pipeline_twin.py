"""`lakelab pipeline` on a real twin: sample data landed, Spark's bronze, silver and gold,
the catalog, dbt and the quality gate, each recorded; then a backfill that skips the date
already done. Real moto, local Spark and dbt; nothing is faked."""

from __future__ import annotations

import json

import pytest
from twin_harness import TwinEnv
from typer.testing import CliRunner

from lakelab.app.main import app

pytestmark = pytest.mark.slow
STACK = "demo-bob-aws"


def lakelab(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_a_run_and_a_backfill_on_the_twin(pipe_env: TwinEnv) -> None:
    code, out = lakelab("pipeline", "run", "--stack", STACK, "--land", "--date", "2026-03-02")
    assert code == 0, out
    code, out = lakelab("pipeline", "history", "--stack", STACK, "--json")
    (run,) = json.loads(out)
    assert run["state"] == "succeeded" and run["run_date"] == "2026-03-02"
    assert [(s["step"], s["state"]) for s in run["steps"]] == [
        (step, "succeeded")
        for step in ("land", "bronze", "silver", "gold", "catalog", "dbt", "quality_gate")
    ]
    gate = run["steps"][-1]["attempts"][-1]["detail"]
    assert gate.startswith("manifests of bronze, silver, gold present; gold daily_sales has")

    code, out = lakelab(
        "pipeline", "backfill", "--stack", STACK, "--from", "2026-03-02", "--to", "2026-03-03"
    )
    assert code == 0, out
    assert "2026-03-02: already succeeded, skipped" in out
    code, out = lakelab("pipeline", "history", "--stack", STACK, "--json")
    runs = json.loads(out)
    assert [(r["run_date"], r["state"]) for r in runs] == [
        ("2026-03-02", "succeeded"),
        ("2026-03-03", "succeeded"),
    ]
    code, table = lakelab("pipeline", "history", "--stack", STACK)
    assert code == 0 and runs[1]["run_id"] in table
