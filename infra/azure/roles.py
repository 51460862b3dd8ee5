"""Role assignments, with deterministic names so re-runs never duplicate them."""

from __future__ import annotations

import uuid

import pulumi
import pulumi_azure_native.authorization as authorization

from lakelab.clouds.azure.access import AZURE_ROLE_IDS


def role_definition_id(subscription_id: pulumi.Input[str], role: str) -> pulumi.Output[str]:
    return pulumi.Output.concat(
        "/subscriptions/",
        subscription_id,
        "/providers/Microsoft.Authorization/roleDefinitions/",
        AZURE_ROLE_IDS[role],
    )


def assign(
    logical: str,
    *,
    stack_key: str,
    role: str,
    principal_id: pulumi.Input[str],
    principal_type: authorization.PrincipalType,
    scope: pulumi.Input[str],
    subscription_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> authorization.RoleAssignment:
    return authorization.RoleAssignment(
        logical,
        # Assignment names are GUIDs; derive one from what the assignment means.
        role_assignment_name=str(uuid.uuid5(uuid.NAMESPACE_URL, f"lakelab/{stack_key}/{logical}")),
        role_definition_id=role_definition_id(subscription_id, role),
        principal_id=principal_id,
        principal_type=principal_type,
        scope=scope,
        opts=opts,
    )
