"""Airflow 3 in its own virtual environment (`.venv-airflow`, made by `make setup` from
`workloads/airflow/requirements.txt`), run as a separate process: lakelab never imports it.
Every call gets its own AIRFLOW_HOME (SQLite metadata database, DAGs folder)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv-airflow"
PROBE = Path(__file__).resolve().parent / "airflow_probe.py"


def airflow_bin(name: str = "python") -> Path:
    """An executable of `.venv-airflow`; the test fails (never skips) when it is missing."""
    path = VENV / "bin" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make setup` (it creates .venv-airflow)")
    return path


def airflow_env(home: Path, dags: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.pop("PYTHONPATH", None)  # Airflow's own packages only; the DAG sets lakelab's
    env.pop("VIRTUAL_ENV", None)
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
    )
    return env


def airflow(home: Path, dags: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """`airflow <args>` of `.venv-airflow`, output captured."""
    return subprocess.run(
        [str(airflow_bin("airflow")), *args],
        env=airflow_env(home, dags),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def probe(home: Path, dags: Path, mode: str, arg: str) -> Any:
    """What `airflow_probe.py` reads back with Airflow's own code (DagBag, metadata DB)."""
    out = home / f"probe-{mode}.json"
    done = subprocess.run(
        [str(airflow_bin()), str(PROBE), mode, arg, str(out)],
        env=airflow_env(home, dags),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())
