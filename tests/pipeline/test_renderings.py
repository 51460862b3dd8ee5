"""The Glue workflow and the Data Factory pipeline agree with the pipeline definition: the same
steps, the same edges and the same retries, read back from the resources the real Pulumi
program declares. The program runs under Pulumi's mock runtime (`lakelab.plan`): the Pulumi
engine and the cloud control planes cannot run here; everything else is the real code.

Both clouds run the medallion stages and the dbt step as jobs. AWS's stage jobs register
their own tables, so its catalog step is passed through; Data Factory runs the catalog step
as a Spark job activity of its own. The definition's other steps are
passed through (`Definition.restricted`), which the literal expectations below pin down."""

from __future__ import annotations

import pytest

from lakelab.pipeline.definition import load, summary
from lakelab.plan import Plan, plan_stack

STAGES = ("bronze", "silver", "gold")
GLUE_STEPS = (*STAGES, "dbt")
ADF_STEPS = (*STAGES, "catalog", "dbt")


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {cloud: plan_stack(f"demo-alice-{cloud}") for cloud in ("aws", "azure")}


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


def test_glue_and_data_factory_agree_with_the_definition(plans: dict[str, Plan]) -> None:
    expected = summary(load(), keep=ADF_STEPS)
    on_glue = summary(load(), keep=GLUE_STEPS)
    glue = glue_graph(plans["aws"])
    adf = adf_graph(plans["azure"])
    for (steps, edges, retries, _), wanted in ((glue, on_glue), (adf, expected)):
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
