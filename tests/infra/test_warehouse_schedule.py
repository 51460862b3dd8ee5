"""A provisioned Azure warehouse pauses every night and its learner may resume it: the planned
pipeline, trigger, role and the requests the trigger's activation sends. Mock runtime; no
Azure here (`synapse_api.send`, the only function that would reach it, is replaced by a
recorder)."""

from __future__ import annotations

import pytest

from infra.azure import synapse_api, warehouse_schedule
from infra.azure.synapse_api import SynapseRequest
from lakelab.blueprint import from_config
from lakelab.plan import Plan, plan_blueprint
from lakelab.stackfiles import read_config

ALICE = "3f2a9c1e-5b7d-4e8f-9a1b-2c3d4e5f6a7b"


@pytest.fixture(scope="module")
def provisioned() -> Plan:
    config = read_config("demo-alice-azure")
    config["lakelab:warehouse"] = {"mode": "provisioned"}
    return plan_blueprint(from_config(config), config)


def test_serverless_stacks_have_no_schedule(azure_plan: Plan) -> None:
    assert azure_plan.of_type("azure-native:datafactory:Trigger") == []
    assert azure_plan.of_type("azure-native:authorization:RoleDefinition") == []


def test_the_pool_is_paused_nightly_by_the_factory(provisioned: Plan) -> None:
    pool = provisioned.named("azure-native:synapse:SqlPool", "dedicated-pool")
    pipeline = provisioned.named("azure-native:datafactory:Pipeline", "pause-warehouse").inputs
    (activity,) = pipeline["activities"]
    assert activity["type"] == "WebActivity" and activity["method"] == "POST"
    assert activity["url"].startswith("https://management.azure.com/subscriptions/")
    assert activity["url"].endswith("/sqlPools/warehouse/pause?api-version=2021-06-01")
    assert activity["authentication"] == {
        "type": "MSI",
        "resource": "https://management.azure.com/",
    }
    trigger = provisioned.named("azure-native:datafactory:Trigger", "nightly-pause").inputs
    props = trigger["properties"]
    assert props["type"] == "ScheduleTrigger"
    assert props["recurrence"]["frequency"] == "Day" and props["recurrence"]["timeZone"] == "UTC"
    assert props["recurrence"]["schedule"] == {"hours": [20], "minutes": [0]}
    assert props["pipelines"][0]["pipelineReference"]["referenceName"] == "pause-warehouse"
    assert pool.inputs["sqlPoolName"] == "warehouse"


def test_factory_and_learner_may_only_read_pause_and_resume_the_pool(provisioned: Plan) -> None:
    role = provisioned.named("azure-native:authorization:RoleDefinition", "pool-operator").inputs
    assert role["permissions"] == [
        {
            "actions": [
                "Microsoft.Synapse/workspaces/sqlPools/read",
                "Microsoft.Synapse/workspaces/sqlPools/pause/action",
                "Microsoft.Synapse/workspaces/sqlPools/resume/action",
            ]
        }
    ]
    grants = {
        r.name: r.inputs
        for r in provisioned.of_type("azure-native:authorization:RoleAssignment")
        if r.name.endswith("-pool-operator")
    }
    assert sorted(grants) == ["factory-pool-operator", "learner-pool-operator"]
    assert grants["learner-pool-operator"]["principalId"] == ALICE
    assert all(g["scope"].endswith("/sqlPools/warehouse") for g in grants.values())


def test_the_trigger_is_started_on_create_and_stopped_on_delete(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[SynapseRequest, str]] = []
    monkeypatch.setattr(synapse_api, "send", lambda r, scope: sent.append((r, scope)) or {})
    trigger = (
        "/subscriptions/s/resourceGroups/g/providers/Microsoft.DataFactory/factories/f"
        "/triggers/nightly-pause"
    )
    provider = warehouse_schedule.TriggerActivationProvider()
    provider.create({"triggerId": trigger})
    provider.delete(trigger, {"triggerId": trigger})
    arm = "https://management.azure.com/.default"
    assert sent == [
        (
            SynapseRequest(
                "POST", f"https://management.azure.com{trigger}/start?api-version=2018-06-01"
            ),
            arm,
        ),
        (
            SynapseRequest(
                "POST", f"https://management.azure.com{trigger}/stop?api-version=2018-06-01"
            ),
            arm,
        ),
    ]
