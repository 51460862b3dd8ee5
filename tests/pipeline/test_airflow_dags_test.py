"""The Airflow DAG rendered from the definition, run by Airflow 3's own `airflow dags test`
(in `.venv-airflow`, SQLite metadata database in a temporary AIRFLOW_HOME) against a real
twin: every task is a `lakelab pipeline step` on local Spark, moto and dbt; the land step
lands the day's sample sources (`land: true`, as `lakelab pipeline run --land`). Nothing is
faked. Airflow must be set up (`make setup`): without `.venv-airflow` this test fails."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from airflow_env import airflow, airflow_bin, probe
from pipeline_harness import wipe
from twin_harness import TwinEnv
from typer.testing import CliRunner

from lakelab.app.main import app

pytestmark = pytest.mark.slow
STACK = "demo-alice-aws"
DAG_ID = f"lakelab_medallion_{STACK}"
RUN_DATE = "2026-03-04"
STEPS = ("land", "bronze", "silver", "gold", "catalog", "dbt", "quality_gate")


def gold_dates(stack: str, dest: Path) -> set[str]:
    """The order dates in the stack's gold daily_sales, read from the twin's lake."""
    from lakelab.lake import download, lake_for

    files = download(lake_for(stack), "gold", "daily_sales/", dest)
    dates: set[str] = set()
    for f in (p for p in files if p.suffix == ".parquet"):
        dates |= {str(d) for d in pq.read_table(f, columns=["order_date"]).column(0).to_pylist()}
    return dates


def test_airflow_runs_the_dag_on_the_twin(pipe_env: TwinEnv, tmp_path: Path) -> None:
    airflow_bin("airflow")  # fails with `make setup` when .venv-airflow is missing
    wipe(STACK, "landing", "bronze", "silver", "gold")
    home, dags = tmp_path / "airflow", tmp_path / "airflow" / "dags"
    dags.mkdir(parents=True)
    dag_file = dags / "lakelab_medallion.py"
    result = CliRunner().invoke(
        app, ["pipeline", "airflow-dag", "--stack", STACK, "--output", str(dag_file)]
    )
    assert result.exit_code == 0, result.output
    clock = time.perf_counter()
    migrated = airflow(home, dags, "db", "migrate")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    ran = airflow(home, dags, "dags", "test", DAG_ID, RUN_DATE, "--conf", '{"land": true}')
    seconds = time.perf_counter() - clock
    log = ran.stdout + ran.stderr
    (run,) = probe(home, dags, "runs", DAG_ID)
    states = {t: s["state"] for t, s in run["tasks"].items()}
    assert states == dict.fromkeys(STEPS, "success"), log[-6000:]
    assert run["state"] == "success"
    assert all(s["try_number"] == 1 for s in run["tasks"].values())
    assert "ALERT" not in log
    took = {t: s["seconds"] for t, s in run["tasks"].items()}
    print(f"airflow db migrate + dags test: {seconds:.1f}s; tasks: {took}")
    assert RUN_DATE in gold_dates(STACK, tmp_path / "gold")


def test_land_is_skipped_unless_asked_and_a_failure_raises_the_alert(
    pipe_env: TwinEnv, tmp_path: Path
) -> None:
    """Without `land: true` the land task skips itself and the run goes on (bronze waits with
    `none_failed`): bronze to dbt are marked successful by Airflow's own
    `--mark-success-pattern` (Airflow still applies each task's trigger rule first). The
    quality gate runs for real on the twin and finds none of the stages' manifests of this
    run: it fails (it has no retries), raises the definition's failure alert in its log and
    fails the run."""
    from lakelab.pipeline.airflow_dag import render
    from lakelab.pipeline.definition import load

    home, dags = tmp_path / "airflow", tmp_path / "airflow" / "dags"
    dags.mkdir(parents=True)
    (dags / "lakelab_medallion.py").write_text(render(load(), STACK))
    migrated = airflow(home, dags, "db", "migrate")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    marked = "^(" + "|".join(STEPS[1:-1]) + ")$"
    ran = airflow(home, dags, "dags", "test", DAG_ID, RUN_DATE, "--mark-success-pattern", marked)
    log = ran.stdout + ran.stderr
    (run,) = probe(home, dags, "runs", DAG_ID)
    states = {t: s["state"] for t, s in run["tasks"].items()}
    expected = {"land": "skipped", **dict.fromkeys(STEPS[1:-1], "success")}
    assert states == {**expected, "quality_gate": "failed"}, log[-6000:]
    assert run["state"] == "failed"
    assert "error: quality_gate failed: no manifest of bronze, silver, gold for run airflow-" in log
    assert "ALERT (failure) quality_gate: a step failed after its last retry:" in log
    assert log.count("ALERT (") == 1
