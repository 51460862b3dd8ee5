"""The Glue workflow, the Data Factory pipeline and the Airflow DAG agree with the pipeline
definition: the same steps, the same edges and the same retries, read back from the resources
the real Pulumi program declares and from the DAG as Airflow's own DagBag loads it (in
`.venv-airflow`, a process of its own). The program runs under Pulumi's mock runtime
(`lakelab.plan`): the Pulumi engine and the cloud control planes cannot run here; everything
else is the real code.

Both clouds run the medallion stages and the dbt step as jobs. AWS's stage jobs register
their own tables, so its catalog step is passed through; Data Factory runs the catalog step
as a Spark job activity of its own. The definition's other steps are
passed through (`Definition.restricted`), which the literal expectations below pin down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from airflow_env import probe

from lakelab.pipeline.airflow_dag import dag_id, render
from lakelab.pipeline.definition import load, summary
from lakelab.plan import Plan, plan_stack

STAGES = ("bronze", "silver", "gold")
GLUE_STEPS = (*STAGES, "dbt")
ADF_STEPS = (*STAGES, "catalog", "dbt")


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {cloud: plan_stack(f"demo-alice-{cloud}") for cloud in ("aws", "azure")}


@pytest.fixture(scope="module")
def airflow_dag(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The DAG rendered for demo-alice-aws, as Airflow's DagBag loads it."""
    home = tmp_path_factory.mktemp("airflow-home")
    dags = home / "dags"
    dags.mkdir()
    (dags / "lakelab_medallion.py").write_text(render(load(), "demo-alice-aws"))
    loaded = probe(home, dags, "dag", str(dags / "lakelab_medallion.py"))
    assert loaded["import_errors"] == {}
    return loaded["dags"][dag_id(load(), "demo-alice-aws")]


def airflow_graph(dag: dict[str, Any]) -> tuple[tuple[str, ...], set[tuple[str, str]], dict, dict]:
    tasks = dag["tasks"]
    edges = {(u, t) for t, task in tasks.items() for u in task["upstream"]}
    retries = {t: task["retries"] for t, task in tasks.items()}
    policies = {
        t: (task["retry_delay_s"], task["retry_exponential_backoff"], task["execution_timeout_s"])
        for t, task in tasks.items()
    }
    return tuple(tasks), edges, retries, policies


def glue_graph(plan: Plan) -> tuple[tuple[str, ...], set[tuple[str, str]], dict[str, int], dict]:
    """(steps, edges, retries, timeouts) as the Glue workflow would run them."""
    step_of = {f"demo_alice_{s}_job": s for s in GLUE_STEPS}
    jobs = {r.inputs["name"]: r.inputs for r in plan.of_type("aws:glue/job:Job")}
    steps, edges, timeouts = [], set(), {}
    triggers = plan.of_type("aws:glue/trigger:Trigger")
    for t in sorted(triggers, key=lambda r: GLUE_STEPS.index(r.name.removesuffix("-trigger"))):
        assert t.inputs["workflowName"] == "demo_alice_medallion"
        (action,) = t.inputs["actions"]
        step = step_of[action["jobName"]]
        steps.append(step)
        timeouts[step] = action["timeout"]
        conditions = (t.inputs.get("predicate") or {}).get("conditions", [])
        assert (t.inputs["type"] == "ON_DEMAND") == (not conditions)
        for c in conditions:
            assert (c["state"], c["logicalOperator"]) == ("SUCCEEDED", "EQUALS")
            edges.add((step_of[c["jobName"]], step))
    retries = {step_of[n]: int(j["maxRetries"]) for n, j in jobs.items()}
    return tuple(steps), edges, retries, timeouts


def adf_graph(plan: Plan) -> tuple[tuple[str, ...], set[tuple[str, str]], dict[str, int], dict]:
    pipeline = plan.named("azure-native:datafactory:Pipeline", "medallion").inputs
    acts = pipeline["activities"]
    edges = {
        (dep["activity"], a["name"])
        for a in acts
        for dep in a.get("dependsOn") or []
        if dep["dependencyConditions"] == ["Succeeded"]
    }
    retries = {a["name"]: int(a["policy"]["retry"]) for a in acts}
    policies = {
        a["name"]: (a["policy"]["timeout"], a["policy"]["retryIntervalInSeconds"]) for a in acts
    }
    return tuple(a["name"] for a in acts), edges, retries, policies


def test_glue_data_factory_and_airflow_agree_with_the_definition(
    plans: dict[str, Plan], airflow_dag: dict[str, Any]
) -> None:
    expected = summary(load(), keep=ADF_STEPS)
    on_glue = summary(load(), keep=GLUE_STEPS)
    on_airflow = summary(load())
    glue = glue_graph(plans["aws"])
    adf = adf_graph(plans["azure"])
    dag = airflow_graph(airflow_dag)
    for (steps, edges, retries, _), wanted in (
        (glue, on_glue),
        (adf, expected),
        (dag, on_airflow),
    ):
        assert steps == wanted.steps
        assert edges == set(wanted.edges)
        assert retries == dict(wanted.retries)
    # dbt waits for gold (through the catalog step, which the jobs do themselves on Glue).
    assert set(on_glue.edges) == {("bronze", "silver"), ("silver", "gold"), ("gold", "dbt")}
    assert dict(on_glue.retries)["dbt"] == 1
    # The same, spelled out: what the shipped definition says.
    assert expected.steps == ADF_STEPS
    assert set(expected.edges) == {
        ("bronze", "silver"), ("silver", "gold"), ("gold", "catalog"), ("catalog", "dbt"),
    }  # fmt: skip
    assert dict(expected.retries) == {"bronze": 2, "silver": 2, "gold": 2, "catalog": 3, "dbt": 1}
    assert glue[3] == {"bronze": 30, "silver": 45, "gold": 30, "dbt": 30}
    assert adf[3] == {
        "bronze": ("0.00:30:00", 60),
        "silver": ("0.00:45:00", 60),
        "gold": ("0.00:30:00", 60),
        "catalog": ("0.00:10:00", 30),
        "dbt": ("0.00:30:00", 120),
    }
    # Airflow runs every step: the whole chain, each with its retries, interval, backoff and
    # timeout (seconds).
    assert dag[0] == ("land", "bronze", "silver", "gold", "catalog", "dbt", "quality_gate")
    assert dict(on_airflow.retries) == {
        "land": 2, "bronze": 2, "silver": 2, "gold": 2, "catalog": 3, "dbt": 1, "quality_gate": 0
    }  # fmt: skip
    assert dag[3] == {
        "land": (30.0, 2.0, 600.0),
        "bronze": (60.0, 2.0, 1800.0),
        "silver": (60.0, 2.0, 2700.0),
        "gold": (60.0, 2.0, 1800.0),
        "catalog": (30.0, 2.0, 600.0),
        "dbt": (120.0, 2.0, 1800.0),
        "quality_gate": (60.0, 2.0, 300.0),
    }


def test_the_airflow_dag_has_the_parameters_alerts_and_optional_step(
    airflow_dag: dict[str, Any],
) -> None:
    assert airflow_dag["timetable"] == "NullTimetable"  # the definition has no schedule
    assert airflow_dag["params"] == {"run_date": "", "mode": "incremental", "land": False}
    tasks = airflow_dag["tasks"]
    assert {t["operator"] for t in tasks.values()} == {"BashOperator"}
    # The failure alert covers every step; no retry alert is defined.
    assert all(t["on_failure_callback"] and not t["on_retry_callback"] for t in tasks.values())
    # The step after the optional land step still runs when land is skipped.
    rules = {name: t["trigger_rule"] for name, t in tasks.items()}
    assert rules.pop("bronze") == "none_failed"
    assert set(rules.values()) == {"all_success"}


def test_the_dag_file_runs_each_step_with_lakelab(tmp_path: Path) -> None:
    text = render(load(), "demo-alice-aws", lakelab="/opt/py -m lakelab", checkout=tmp_path)
    assert "import lakelab" not in text and "from lakelab" not in text
    assert 'LAKELAB = "/opt/py -m lakelab"' in text
    assert f'CHECKOUT = "{tmp_path}"' in text
    assert text.count("BashOperator(") == 7
    assert 'bash_command=step("land", optional=True)' in text


def test_parameters_reach_both_clouds(plans: dict[str, Plan]) -> None:
    wf = plans["aws"].named("aws:glue/workflow:Workflow", "medallion").inputs
    assert wf["defaultRunProperties"] == {"run_date": "", "mode": "incremental"}
    pipeline = plans["azure"].named("azure-native:datafactory:Pipeline", "medallion").inputs
    assert pipeline["parameters"] == {
        "run_date": {"type": "String", "defaultValue": ""},
        "mode": {"type": "String", "defaultValue": "incremental"},
    }
    for act in pipeline["activities"]:
        if act["name"] == "dbt":  # dbt takes its project and profile, not the run's options
            continue
        args = act["arguments"]
        assert args[args.index("--mode") + 1] == "@pipeline().parameters.mode"
        assert args[args.index("--run_date") + 1] == "@pipeline().parameters.run_date"
