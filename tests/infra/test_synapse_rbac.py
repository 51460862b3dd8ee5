"""Synapse RBAC assignments: the requests the dynamic provider would send, and the plan."""

from __future__ import annotations

from typing import Any

import pytest

from infra.azure import synapse_api, synapse_rbac
from lakelab.plan import Plan

TYPE = "pulumi-python:dynamic/synapse:RoleAssignment"
WS = "ll-demo-alice-syn-f9ebc2"
COMPUTE_OPERATOR_ID = "e3844cc7-4670-42cb-9349-9bdac1ee7881"


def test_create_and_delete_send_the_documented_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[synapse_rbac.SynapseRequest] = []
    monkeypatch.setattr(synapse_api, "send", lambda r: sent.append(r) or {})
    props: dict[str, Any] = {
        "workspaceName": WS,
        "assignmentId": "a1",
        "roleId": COMPUTE_OPERATOR_ID,
        "principalId": "p1",
        "principalType": "ServicePrincipal",
        "scope": f"workspaces/{WS}",
    }
    provider = synapse_rbac.SynapseRoleAssignmentProvider()
    assert provider.create(props).id == "a1"
    provider.delete("a1", props)
    url = f"https://{WS}.dev.azuresynapse.net/roleAssignments/a1?api-version=2020-12-01"
    assert sent == [
        synapse_rbac.SynapseRequest(
            "PUT",
            url,
            {
                "roleId": COMPUTE_OPERATOR_ID,
                "principalId": "p1",
                "scope": f"workspaces/{WS}",
                "principalType": "ServicePrincipal",
            },
        ),
        synapse_rbac.SynapseRequest("DELETE", url),
    ]
    diff = provider.diff("a1", props, {**props, "principalId": "p2"})
    assert (diff.changes, diff.replaces) == (True, ["principalId"])


def test_factory_and_learner_hold_compute_operator(azure_plan: Plan) -> None:
    grants = {r.name: r.inputs for r in azure_plan.of_type(TYPE)}
    assert {n: (g["roleId"], g["scope"], g["principalType"]) for n, g in grants.items()} == {
        "factory-synapse-compute": (COMPUTE_OPERATOR_ID, f"workspaces/{WS}", "ServicePrincipal"),
        "learner-synapse-compute": (
            COMPUTE_OPERATOR_ID,
            f"workspaces/{WS}/bigDataPools/medallion",
            "User",
        ),
    }
    for name in grants:
        deps = azure_plan.depends_on(TYPE, name)
        assert ("azure-native:synapse:IpFirewallRule", "allow-0") in deps
