"""The Spark job definition: the requests its dynamic provider sends, how it updates and
replaces, and where the plan places it. No Azure here: `synapse_api.send` is replaced by a
recorder (it is the only function that would reach the workspace)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.azure import synapse_api, synapse_artifacts
from infra.azure.synapse_api import SynapseRequest
from lakelab.plan import Plan

TYPE = "pulumi-python:dynamic/synapse:SparkJobDefinition"
WS = "ll-demo-alice-syn-f9ebc2"
URL = f"https://{WS}.dev.azuresynapse.net/sparkJobDefinitions/lakelab_medallion?api-version=2020-12-01"
PROPS: dict[str, Any] = {
    "workspaceName": WS,
    "name": "lakelab_medallion",
    "definition": {"requiredSparkVersion": "3.5", "language": "python"},
}


def recorder(
    monkeypatch: pytest.MonkeyPatch, answers: list[dict[str, Any]]
) -> list[SynapseRequest]:
    sent: list[SynapseRequest] = []

    def send(request: SynapseRequest) -> dict[str, Any]:
        sent.append(request)
        return answers.pop(0) if request.method == "GET" and answers else {}

    monkeypatch.setattr(synapse_api, "send", send)
    monkeypatch.setattr(synapse_artifacts.time, "sleep", lambda _s: None)
    return sent


def test_create_puts_the_definition_and_waits_until_it_exists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent = recorder(monkeypatch, [{}, {"name": "lakelab_medallion"}])  # 202, then there
    result = synapse_artifacts.SparkJobDefinitionProvider().create(dict(PROPS))
    assert result.id == "lakelab_medallion"
    assert sent == [
        SynapseRequest("PUT", URL, {"properties": PROPS["definition"]}),
        SynapseRequest("GET", URL),
        SynapseRequest("GET", URL),
    ]


def test_a_definition_that_never_appears_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder(monkeypatch, [])
    ticks = iter(range(0, 10_000, 60))
    with pytest.raises(RuntimeError, match="did not appear in workspace"):
        synapse_artifacts.publish(dict(PROPS), sleep=lambda _s: None, clock=lambda: next(ticks))


def test_delete_sends_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    sent = recorder(monkeypatch, [])
    synapse_artifacts.SparkJobDefinitionProvider().delete("lakelab_medallion", dict(PROPS))
    assert sent == [SynapseRequest("DELETE", URL)]


def test_a_new_definition_updates_in_place_and_a_rename_replaces_delete_first() -> None:
    provider = synapse_artifacts.SparkJobDefinitionProvider()
    changed = {**PROPS, "definition": {**PROPS["definition"], "requiredSparkVersion": "3.4"}}
    diff = provider.diff("x", PROPS, changed)
    assert (diff.changes, diff.replaces) == (True, [])
    renamed = provider.diff("x", PROPS, {**PROPS, "name": "other"})
    assert (renamed.changes, renamed.replaces, renamed.delete_before_replace) == (
        True,
        ["name"],
        True,
    )
    assert provider.diff("x", PROPS, dict(PROPS)).changes is False


def test_the_plan_publishes_it_after_the_firewall_and_the_pool(azure_plan: Plan) -> None:
    sjd = azure_plan.named(TYPE, "spark-job-definition").inputs
    definition = sjd["definition"]
    assert definition["requiredSparkVersion"] == "3.5"
    assert definition["targetBigDataPool"] == {
        "referenceName": "medallion",
        "type": "BigDataPoolReference",
    }
    deps = azure_plan.depends_on(TYPE, "spark-job-definition")
    assert ("azure-native:synapse:BigDataPool", "spark-pool") in deps
    rules = [d for d in deps if d[0] == "azure-native:synapse:IpFirewallRule"]
    assert rules, deps
    commands = {r.name for r in azure_plan.of_type("command:local:Command")}
    assert "spark-job-definition" not in commands  # no `az` CLI, no shared temporary file
