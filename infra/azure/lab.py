"""One learner's lab on Azure: the component that wires the Azure concerns together."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.resources as resources

from infra.azure.budget import LearnerBudget
from infra.azure.factory import DataFactory
from infra.azure.jobs import MedallionJobs
from infra.azure.lake import LakeStorage
from infra.azure.roles import assign
from infra.azure.synapse import SynapseAnalytics
from infra.azure.synapse_rbac import COMPUTE_OPERATOR, spark_pool_scope, synapse_grant
from infra.azure.warehouse_schedule import WarehouseSchedule
from infra.component import LabComponent
from infra.outputs import cost_inputs
from lakelab.blueprint import Blueprint
from lakelab.clouds.azure.access import AZURE_LEARNER_GRANTS
from lakelab.clouds.azure.names import AzureNames


class AzureLearnerLab(LabComponent):
    outputs: dict[str, Any]

    def __init__(self, name: str, bp: Blueprint, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lakelab:azure:LearnerLab", name, bp.tags, opts)
        subscription_id = authorization.get_client_config_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).subscription_id
        group = resources.ResourceGroup(
            "group",
            resource_group_name=AzureNames.of(bp).resource_group,
            location=bp.region,
            tags=self.tags,
            opts=self.child(),
        )
        lake = LakeStorage("lake", bp, group, opts=self.child())
        analytics = SynapseAnalytics("synapse", bp, group, lake, subscription_id, opts=self.child())
        jobs = MedallionJobs("jobs", bp, group, lake, analytics, opts=self.child())
        factory = DataFactory(
            "factory", bp, group, lake, analytics, jobs, subscription_id, opts=self.child()
        )
        if analytics.sql_pool is not None:  # provisioned mode: pause it nightly
            WarehouseSchedule(
                "warehouse-schedule",
                bp,
                group,
                analytics.sql_pool,
                factory.factory,
                opts=self.child(),
            )
        LearnerBudget("budget", bp, group, opts=self.child())

        self._learner_access(bp, group, lake, analytics, subscription_id)
        self.outputs = self._outputs(bp, group, lake, analytics, jobs)
        self.register_outputs({})

    def _learner_access(
        self,
        bp: Blueprint,
        group: resources.ResourceGroup,
        lake: LakeStorage,
        analytics: SynapseAnalytics,
        subscription_id: pulumi.Input[str],
    ) -> None:
        """The learner's Azure roles on their group and lake, and their Synapse role."""
        principal = bp.access.azure_principal_id or ""
        scopes = {"resource_group": group.id, "storage_account": lake.account.id}
        for grant in AZURE_LEARNER_GRANTS:
            assign(
                f"learner-{grant.role.lower().replace(' ', '-')}",
                stack_key=bp.stack_name,
                role=grant.role,
                principal_id=principal,
                principal_type=authorization.PrincipalType.USER,
                scope=scopes[grant.scope],
                subscription_id=subscription_id,
                opts=self.child(),
            )
        # Synapse: the least role that lets the learner run the Spark job and notebooks is
        # "Synapse Compute Operator" on their Spark pool (it brings "Synapse User" on the
        # workspace, which lists and opens it in Synapse Studio); Microsoft Learn, "Understand
        # the roles required to perform common tasks in Azure Synapse",
        # https://learn.microsoft.com/azure/synapse-analytics/security/synapse-workspace-understand-what-role-you-need
        # Serverless SQL queries need no Synapse role but a SQL login with CONNECT ANY
        # DATABASE and SELECT ALL USER SECURABLES: the layer databases are synchronized from
        # Spark and read-only, so no user can be added inside them. Manual step, as T-SQL on
        # the serverless endpoint cannot be declared through ARM (docs/cloud-azure.md, step 4;
        # https://learn.microsoft.com/azure/synapse-analytics/sql/shared-databases-access-control);
        # the files themselves are read with the learner's own Entra identity, which holds
        # Storage Blob Data Contributor.
        synapse_grant(
            "learner-synapse-compute",
            stack_key=bp.stack_name,
            workspace_name=analytics.workspace.name,
            role=COMPUTE_OPERATOR,
            principal_id=principal,
            principal_type=authorization.PrincipalType.USER,
            scope=spark_pool_scope(analytics.workspace.name, analytics.spark_pool.name),
            after=analytics.admits_deployer,
            parent=self,
        )

    def _outputs(
        self,
        bp: Blueprint,
        group: resources.ResourceGroup,
        lake: LakeStorage,
        analytics: SynapseAnalytics,
        jobs: MedallionJobs,
    ) -> dict[str, Any]:
        principal = bp.access.azure_principal_id or ""
        return {
            "lake": {
                purpose: {"name": c.name, "uri": lake.uri(purpose)}
                for purpose, c in lake.containers.items()
            },
            "lake_endpoint": lake.dfs_endpoint,
            "catalogs": {
                layer: AzureNames.of(bp).sql_database(layer) for layer in bp.catalog_layers
            },
            "query": {
                "engine": "synapse-serverless",
                "workgroup": pulumi.Output.concat(analytics.workspace.name, "-ondemand"),
                "endpoint": analytics.serverless_endpoint,
            },
            "warehouse": {
                "mode": bp.warehouse.mode,
                "endpoint": analytics.serverless_endpoint
                if bp.warehouse.mode == "serverless"
                else (analytics.serverless_endpoint.apply(lambda e: e.replace("-ondemand", "")))
                if analytics.sql_pool
                else None,
            },
            "identity": {
                "kind": "entra-principal",
                "name": principal,
                "resource_group": group.name,
                "storage_account": lake.account.name,
            },
            "jobs": {
                "pipeline": "medallion",
                "job_definition": jobs.job_definition_name,
                "package": jobs.package_uri,
                "dbt_project": jobs.dbt_project_uri,
                "dbt_database": AzureNames.of(bp).dbt_database,
            },
            "cost_inputs": cost_inputs(bp),
        }


def build(bp: Blueprint) -> AzureLearnerLab:
    """The learner's Azure lab (the provider's location comes from the stack config)."""
    return AzureLearnerLab(bp.stack_name, bp)
