"""Synapse RBAC role assignments, through the workspace's access-control (data-plane) API.

Synapse RBAC is not Azure RBAC: its assignments live in the workspace, not in ARM, so
azure-native has no resource for them. `SynapseRoleAssignment` is a Pulumi dynamic resource
whose provider calls the Synapse access-control REST API ("Role Assignments - Create Role
Assignment", api-version 2020-12-01):

    PUT    https://{workspace}.dev.azuresynapse.net/roleAssignments/{id}?api-version=2020-12-01
           {"roleId": ..., "principalId": ..., "scope": "workspaces/{workspace}", ...}
    DELETE https://{workspace}.dev.azuresynapse.net/roleAssignments/{id}?api-version=2020-12-01

https://learn.microsoft.com/rest/api/synapse/data-plane/role-assignments/create-role-assignment
https://learn.microsoft.com/rest/api/synapse/data-plane/role-assignments/delete-role-assignment-by-id

The deployer calls it with a token from azure-identity's `DefaultAzureCredential` (scope
`https://dev.azuresynapse.net/.default`). The workspace's creator is its Synapse
Administrator, so the identity that runs `pulumi up` may assign roles; the dev endpoint sits
behind the workspace firewall, so every assignment depends on the rules that admit the
deployer. Every request is built by a pure function and sent by `send` alone, so tests check
the request that would be sent without a network.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi.dynamic as dynamic

API_VERSION: Final = "2020-12-01"
TOKEN_SCOPE: Final = "https://dev.azuresynapse.net/.default"
DEV_SUFFIX: Final = "dev.azuresynapse.net"

# Built-in Synapse RBAC role ids (the same in every workspace; `az synapse role definition
# list`). Roles and what they allow: Microsoft Learn, "Synapse RBAC Roles",
# https://learn.microsoft.com/azure/synapse-analytics/security/synapse-workspace-synapse-rbac-roles
SYNAPSE_ROLE_IDS: Final[dict[str, str]] = {
    "Synapse Administrator": "6e4bf58a-b8e1-4cc3-bbf9-d73143322b78",
    "Synapse Contributor": "7572bffe-f453-4b66-912a-46cc5ef38fda",
    "Synapse Compute Operator": "e3844cc7-4670-42cb-9349-9bdac1ee7881",
    "Synapse User": "2a385764-43e8-416c-9825-7b18d05a2c4b",
}
# Submits Spark jobs and notebooks and views their logs (any other Synapse role also brings
# "Synapse User" at workspace scope); it neither publishes artifacts nor grants access.
COMPUTE_OPERATOR: Final = "Synapse Compute Operator"

# The inputs that identify an assignment: a change to any of them replaces it.
_IDENTITY: Final = ("workspaceName", "assignmentId", "roleId", "principalId", "scope")


@dataclass(frozen=True)
class SynapseRequest:
    """One call to the workspace's access-control API."""

    method: str
    url: str
    body: dict[str, str] | None = None


def assignment_url(workspace: str, assignment_id: str) -> str:
    return (
        f"https://{workspace}.{DEV_SUFFIX}/roleAssignments/{assignment_id}"
        f"?api-version={API_VERSION}"
    )


def create_request(props: dict[str, Any]) -> SynapseRequest:
    body = {
        "roleId": props["roleId"],
        "principalId": props["principalId"],
        "scope": props["scope"],
    }
    if props.get("principalType"):
        body["principalType"] = props["principalType"]
    return SynapseRequest(
        "PUT", assignment_url(props["workspaceName"], props["assignmentId"]), body
    )


def delete_request(props: dict[str, Any]) -> SynapseRequest:
    return SynapseRequest("DELETE", assignment_url(props["workspaceName"], props["assignmentId"]))


def send(request: SynapseRequest) -> dict[str, Any]:
    """The only function that reaches Azure: sends `request` as the deployer. A DELETE of an
    assignment that is already gone succeeds."""
    import requests
    from azure.identity import DefaultAzureCredential

    token = DefaultAzureCredential().get_token(TOKEN_SCOPE).token
    response = requests.request(
        request.method,
        request.url,
        json=request.body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    if request.method == "DELETE" and response.status_code in (204, 404):
        return {}
    if not response.ok:
        raise RuntimeError(
            f"Synapse access control: {request.method} {request.url} returned"
            f" {response.status_code}: {response.text[:500]}"
        )
    return dict(response.json()) if response.content else {}


class SynapseRoleAssignmentProvider(dynamic.ResourceProvider):
    """Create, delete and diff a Synapse role assignment (updates are replacements)."""

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        send(create_request(props))
        return dynamic.CreateResult(id_=props["assignmentId"], outs=dict(props))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        send(delete_request(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        replaces = [key for key in _IDENTITY if olds.get(key) != news.get(key)]
        return dynamic.DiffResult(
            changes=bool(replaces), replaces=replaces, delete_before_replace=True
        )


class SynapseRoleAssignment(dynamic.Resource, module="synapse", name="RoleAssignment"):
    """A Synapse RBAC role assignment (`pulumi-python:dynamic/synapse:RoleAssignment`)."""

    def __init__(
        self,
        name: str,
        *,
        workspace_name: pulumi.Input[str],
        assignment_id: str,
        role: str,
        principal_id: pulumi.Input[str],
        principal_type: str,
        scope: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "workspaceName": workspace_name,
            "assignmentId": assignment_id,
            "role": role,
            "roleId": SYNAPSE_ROLE_IDS[role],
            "principalId": principal_id,
            "principalType": principal_type,
            "scope": scope,
        }
        super().__init__(SynapseRoleAssignmentProvider(), name, props, opts)


def workspace_scope(workspace: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat("workspaces/", workspace)


def spark_pool_scope(workspace: pulumi.Input[str], pool: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat("workspaces/", workspace, "/bigDataPools/", pool)


def synapse_grant(
    logical: str,
    *,
    stack_key: str,
    workspace_name: pulumi.Input[str],
    role: str,
    principal_id: pulumi.Input[str],
    principal_type: str,
    scope: pulumi.Input[str],
    after: Sequence[pulumi.Resource],
    parent: pulumi.Resource,
) -> SynapseRoleAssignment:
    """A Synapse role assignment with a deterministic id, made once the firewall rules in
    `after` admit the deployer to the workspace's dev endpoint."""
    return SynapseRoleAssignment(
        logical,
        workspace_name=workspace_name,
        assignment_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"lakelab/{stack_key}/synapse/{logical}")),
        role=role,
        principal_id=principal_id,
        principal_type=principal_type,
        scope=scope,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(after)),
    )
