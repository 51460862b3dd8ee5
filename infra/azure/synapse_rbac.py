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

Requests go through `infra.azure.synapse_api` (the deployer's `DefaultAzureCredential`).
The workspace's creator is its Synapse Administrator, so the identity that runs `pulumi up`
may assign roles; every assignment depends on the firewall rules that admit the deployer.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Final

import pulumi
import pulumi.dynamic as dynamic
import pulumi_azure_native.authorization as authorization

from infra.azure import synapse_api
from infra.azure.synapse_api import SynapseRequest, endpoint_url

__all__ = ["SynapseRequest", "SynapseRoleAssignment", "synapse_grant"]

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


def assignment_url(workspace: str, assignment_id: str) -> str:
    return endpoint_url(workspace, f"roleAssignments/{assignment_id}")


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


class SynapseRoleAssignmentProvider(dynamic.ResourceProvider):
    """Create, delete and diff a Synapse role assignment (updates are replacements)."""

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        synapse_api.send(create_request(props))
        return dynamic.CreateResult(id_=props["assignmentId"], outs=dict(props))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        synapse_api.send(delete_request(props))

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
        principal_type: authorization.PrincipalType,
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
    principal_type: authorization.PrincipalType,
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
