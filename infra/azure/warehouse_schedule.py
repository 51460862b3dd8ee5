"""A provisioned warehouse (the Synapse dedicated SQL pool) pauses every night, and its learner
can resume and pause it.

ARM has no "paused" setting for a pool, and a pool resumed by anyone bills until someone pauses
it again. So in provisioned mode:

- a Data Factory pipeline `pause-warehouse` calls ARM's "Sql Pools - Pause"
  (`POST {pool id}/pause?api-version=2021-06-01`) as the factory's managed identity, and a
  schedule trigger runs it every day at `PAUSE_AT_UTC`;
- a role of the lab's own, "lakelab SQL pool operator" (read, pause, resume the pool, nothing
  else), is held on the pool by the factory and by the learner, who resumes it with
  `az synapse sql pool resume --name <pool> --workspace-name <ws> --resource-group <rg>`;
- Data Factory creates triggers stopped, so `TriggerActivation` (a dynamic resource calling
  ARM's "Triggers - Start", and "- Stop" on delete, as the deployer) starts it.

https://learn.microsoft.com/rest/api/synapse/sql-pools/pause
https://learn.microsoft.com/azure/data-factory/how-to-create-schedule-trigger
https://learn.microsoft.com/rest/api/datafactory/triggers/start
"""

from __future__ import annotations

import uuid
from typing import Any, Final

import pulumi
import pulumi.dynamic as dynamic
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.datafactory as datafactory
import pulumi_azure_native.resources as resources
import pulumi_azure_native.synapse as synapse

from infra.azure import synapse_api
from infra.azure.synapse_api import ARM, ARM_SCOPE, SynapseRequest
from infra.component import LabComponent
from lakelab.blueprint import Blueprint

POOL_API_VERSION: Final = "2021-06-01"
FACTORY_API_VERSION: Final = "2018-06-01"
PAUSE_AT_UTC: Final = (20, 0)  # hour, minute
PAUSE_PIPELINE: Final = "pause-warehouse"
PAUSE_TRIGGER: Final = "nightly-pause"
POOL_OPERATOR_ACTIONS: Final = (
    "Microsoft.Synapse/workspaces/sqlPools/read",
    "Microsoft.Synapse/workspaces/sqlPools/pause/action",
    "Microsoft.Synapse/workspaces/sqlPools/resume/action",
)


def trigger_url(trigger_id: str, verb: str) -> str:
    return f"{ARM}{trigger_id}/{verb}?api-version={FACTORY_API_VERSION}"


class TriggerActivationProvider(dynamic.ResourceProvider):
    """Start a Data Factory trigger when created, stop it when deleted."""

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        synapse_api.send(
            SynapseRequest("POST", trigger_url(props["triggerId"], "start")), ARM_SCOPE
        )
        return dynamic.CreateResult(id_=props["triggerId"], outs=dict(props))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        synapse_api.send(SynapseRequest("POST", trigger_url(props["triggerId"], "stop")), ARM_SCOPE)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        moved = olds.get("triggerId") != news.get("triggerId")
        return dynamic.DiffResult(
            changes=moved, replaces=["triggerId"] if moved else [], delete_before_replace=True
        )


class TriggerActivation(dynamic.Resource, module="datafactory", name="TriggerActivation"):
    def __init__(
        self, logical: str, *, trigger_id: pulumi.Input[str], opts: pulumi.ResourceOptions
    ) -> None:
        super().__init__(TriggerActivationProvider(), logical, {"triggerId": trigger_id}, opts)


class WarehouseSchedule(LabComponent):
    def __init__(
        self,
        name: str,
        bp: Blueprint,
        group: resources.ResourceGroup,
        pool: synapse.SqlPool,
        factory: datafactory.Factory,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:azure:WarehouseSchedule", name, bp.tags, opts)
        self._operators(bp, group, pool, factory)
        pipeline = self._pause_pipeline(group, pool, factory)
        trigger = self._nightly_trigger(group, factory, pipeline)
        TriggerActivation(
            "nightly-pause-start", trigger_id=trigger.id, opts=self.child(parent=trigger)
        )
        self.register_outputs({"pipeline": PAUSE_PIPELINE, "trigger": PAUSE_TRIGGER})

    def _operators(
        self,
        bp: Blueprint,
        group: resources.ResourceGroup,
        pool: synapse.SqlPool,
        factory: datafactory.Factory,
    ) -> None:
        """The lab's own pool-operator role, held on the pool by the factory and the learner."""
        operator = authorization.RoleDefinition(
            "pool-operator",
            authorization.RoleDefinitionArgs(
                role_definition_id=_stable_id(bp, "pool-operator"),
                role_name=f"lakelab SQL pool operator ({bp.stack_name})",
                description="Read, pause and resume the lab's dedicated SQL pool; nothing else.",
                permissions=[authorization.PermissionArgs(actions=list(POOL_OPERATOR_ACTIONS))],
                assignable_scopes=[group.id],
                scope=group.id,
            ),
            opts=self.child(),
        )
        factory_id = factory.identity.apply(lambda i: i.principal_id if i else "")
        holders: dict[str, tuple[pulumi.Input[str], authorization.PrincipalType]] = {
            "factory": (factory_id, authorization.PrincipalType.SERVICE_PRINCIPAL)
        }
        if bp.access.azure_principal_id:
            holders["learner"] = (bp.access.azure_principal_id, authorization.PrincipalType.USER)
        for who, (principal, kind) in holders.items():
            authorization.RoleAssignment(
                f"{who}-pool-operator",
                authorization.RoleAssignmentArgs(
                    role_assignment_name=_stable_id(bp, f"{who}-pool-operator"),
                    role_definition_id=operator.id,
                    principal_id=principal,
                    principal_type=kind,
                    scope=pool.id,
                ),
                opts=self.child(parent=operator),
            )

    def _pause_pipeline(
        self, group: resources.ResourceGroup, pool: synapse.SqlPool, factory: datafactory.Factory
    ) -> datafactory.Pipeline:
        pause = datafactory.WebActivityArgs(
            name="pause",
            type="WebActivity",
            method=datafactory.WebActivityMethod.POST,
            url=pulumi.Output.concat(ARM, pool.id, f"/pause?api-version={POOL_API_VERSION}"),
            body="{}",
            authentication=datafactory.WebActivityAuthenticationArgs(
                type="MSI", resource=f"{ARM}/"
            ),
        )
        return datafactory.Pipeline(
            PAUSE_PIPELINE,
            datafactory.PipelineArgs(
                pipeline_name=PAUSE_PIPELINE,
                factory_name=factory.name,
                resource_group_name=group.name,
                description="Pauses the dedicated SQL pool (scheduled nightly)",
                activities=[pause],
            ),
            opts=self.child(parent=factory),
        )

    def _nightly_trigger(
        self,
        group: resources.ResourceGroup,
        factory: datafactory.Factory,
        pipeline: datafactory.Pipeline,
    ) -> datafactory.Trigger:
        hour, minute = PAUSE_AT_UTC
        recurrence = datafactory.ScheduleTriggerRecurrenceArgs(
            frequency=datafactory.RecurrenceFrequency.DAY,
            interval=1,
            start_time="2026-01-01T00:00:00Z",
            time_zone="UTC",
            schedule=datafactory.RecurrenceScheduleArgs(hours=[hour], minutes=[minute]),
        )
        reference = datafactory.TriggerPipelineReferenceArgs(
            pipeline_reference=datafactory.PipelineReferenceArgs(
                reference_name=PAUSE_PIPELINE,
                type=datafactory.PipelineReferenceType.PIPELINE_REFERENCE,
            )
        )
        return datafactory.Trigger(
            PAUSE_TRIGGER,
            datafactory.TriggerArgs(
                trigger_name=PAUSE_TRIGGER,
                factory_name=factory.name,
                resource_group_name=group.name,
                properties=datafactory.ScheduleTriggerArgs(
                    type="ScheduleTrigger", recurrence=recurrence, pipelines=[reference]
                ),
            ),
            opts=self.child(parent=factory, depends_on=[pipeline]),
        )


def _stable_id(bp: Blueprint, what: str) -> str:
    """A GUID derived from the stack and what it names, so re-runs never duplicate it."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lakelab/{bp.stack_name}/{what}"))
