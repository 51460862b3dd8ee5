"""Run with `.venv-airflow/bin/python` (Airflow only, no lakelab), AIRFLOW_HOME set: read
back, with Airflow's own code, what the Airflow tests compare; the JSON goes to OUT_FILE
(Airflow logs to stdout).

    python airflow_probe.py dag DAG_FILE OUT_FILE
        {"import_errors": {...}, "dags": {dag_id: {"timetable", "params", "tasks": {...}}}}
    python airflow_probe.py runs DAG_ID OUT_FILE
        [{"run_id", "state", "tasks": {task_id: {"state", "try_number", "seconds"}}}]  (metadata DB)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def describe(dag: Any) -> dict[str, Any]:
    tasks = {}
    for task in dag.tasks:
        tasks[task.task_id] = {
            "upstream": sorted(task.upstream_task_ids),
            "retries": task.retries,
            "retry_delay_s": task.retry_delay.total_seconds(),
            "retry_exponential_backoff": task.retry_exponential_backoff,
            "execution_timeout_s": task.execution_timeout.total_seconds(),
            "trigger_rule": str(task.trigger_rule.value),
            "on_failure_callback": bool(task.on_failure_callback),
            "on_retry_callback": bool(task.on_retry_callback),
            "operator": type(task).__name__,
        }
    params = {k: dag.params.get_param(k).resolve(suppress_exception=True) for k in dag.params}
    return {"timetable": type(dag.timetable).__name__, "params": params, "tasks": tasks}


def dag_file(path: str) -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=path)
    return {
        "import_errors": {k: str(v) for k, v in bag.import_errors.items()},
        "dags": {dag_id: describe(dag) for dag_id, dag in bag.dags.items()},
    }


def runs(dag_id: str) -> list[dict[str, Any]]:
    from airflow.models import DagRun, TaskInstance
    from airflow.utils.session import create_session

    out = []
    with create_session() as session:
        for run in session.query(DagRun).filter(DagRun.dag_id == dag_id):
            tis = session.query(TaskInstance).filter(
                TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id
            )
            tasks = {
                ti.task_id: {"state": ti.state, "try_number": ti.try_number, "seconds": ti.duration}
                for ti in tis
            }
            out.append({"run_id": run.run_id, "state": run.state, "tasks": tasks})
    return out


if __name__ == "__main__":
    mode, arg, target = sys.argv[1:4]
    result = dag_file(arg) if mode == "dag" else runs(arg)
    Path(target).write_text(json.dumps(result))
