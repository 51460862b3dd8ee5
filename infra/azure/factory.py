"""Data Factory: linked services to the lake and to Synapse, and a pipeline that runs the
shared workload stage by stage (bronze -> silver -> gold) on the Synapse Spark pool."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.datafactory as datafactory
import pulumi_azure_native.resources as resources

from infra.azure.jobs import MedallionJobs
from infra.azure.lake import LakeStorage
from infra.azure.pipeline import SYNAPSE_LINK, pipeline_parameters, stage_activities
from infra.azure.roles import assign
from infra.azure.synapse import SynapseAnalytics
from infra.azure.synapse_rbac import COMPUTE_OPERATOR, synapse_grant, workspace_scope
from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.azure.names import AzureNames

LAKE_LINK = "lake"
PIPELINE = "medallion"


class DataFactory(LabComponent):
    def __init__(
        self,
        name: str,
        bp: Blueprint,
        group: resources.ResourceGroup,
        lake: LakeStorage,
        analytics: SynapseAnalytics,
        jobs: MedallionJobs,
        subscription_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:azure:DataFactory", name, bp.tags, opts)
        self.factory = self._factory(bp, group)
        compute = self._identity_access(bp, lake, analytics, subscription_id)
        lake_link, synapse_link = self._links(group, lake, analytics)
        self.pipeline = datafactory.Pipeline(
            "medallion",
            pipeline_name=PIPELINE,
            factory_name=self.factory.name,
            resource_group_name=group.name,
            description="Runs the shared workload: bronze -> silver -> gold -> catalog -> dbt",
            concurrency=1,
            parameters=pipeline_parameters(),
            activities=stage_activities(bp, jobs),  # from the pipeline definition
            opts=self.child(
                parent=self.factory,
                depends_on=[lake_link, synapse_link, jobs.job_definition, compute],
            ),
        )
        self.register_outputs({"factory": self.factory.name})

    def _factory(self, bp: Blueprint, group: resources.ResourceGroup) -> datafactory.Factory:
        return datafactory.Factory(
            "factory",
            factory_name=AzureNames.of(bp).data_factory,
            resource_group_name=group.name,
            location=bp.region,
            identity=datafactory.FactoryIdentityArgs(
                type=datafactory.FactoryIdentityType.SYSTEM_ASSIGNED
            ),
            tags=self.tags,
            opts=self.child(),
        )

    def _identity_access(
        self,
        bp: Blueprint,
        lake: LakeStorage,
        analytics: SynapseAnalytics,
        subscription_id: pulumi.Input[str],
    ) -> pulumi.Resource:
        """The factory identity's role on the lake, and its Synapse role (returned: the
        pipeline waits for it)."""
        on_factory = self.child(parent=self.factory)
        assign(
            "factory-lake-access",
            stack_key=bp.stack_name,
            role="Storage Blob Data Contributor",
            principal_id=self.factory.identity.apply(lambda i: i.principal_id if i else ""),
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            scope=lake.account.id,
            subscription_id=subscription_id,
            opts=on_factory,
        )
        # The pipeline's SparkJob activities submit jobs to the workspace's Spark pool as the
        # factory: Synapse RBAC "Synapse Compute Operator" on the workspace (Azure RBAC on the
        # workspace resource does not reach Synapse's data plane).
        return synapse_grant(
            "factory-synapse-compute",
            stack_key=bp.stack_name,
            workspace_name=analytics.workspace.name,
            role=COMPUTE_OPERATOR,
            principal_id=self.factory.identity.apply(lambda i: i.principal_id if i else ""),
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            scope=workspace_scope(analytics.workspace.name),
            after=analytics.admits_deployer,
            parent=self.factory,
        )

    def _links(
        self, group: resources.ResourceGroup, lake: LakeStorage, analytics: SynapseAnalytics
    ) -> tuple[datafactory.LinkedService, datafactory.LinkedService]:
        """The linked services to the lake and to the Synapse workspace."""
        on_factory = self.child(parent=self.factory)
        # No credentials in either link: the factory's managed identity authenticates.
        lake_link = datafactory.LinkedService(
            "lake-link",
            linked_service_name=LAKE_LINK,
            factory_name=self.factory.name,
            resource_group_name=group.name,
            properties=datafactory.AzureBlobFSLinkedServiceArgs(
                type="AzureBlobFS", url=lake.dfs_endpoint
            ),
            opts=on_factory,
        )
        synapse_link = datafactory.LinkedService(
            "synapse-link",
            linked_service_name=SYNAPSE_LINK,
            factory_name=self.factory.name,
            resource_group_name=group.name,
            properties=datafactory.AzureSynapseArtifactsLinkedServiceArgs(
                type="AzureSynapseArtifacts", endpoint=analytics.dev_endpoint, authentication="MSI"
            ),
            opts=on_factory,
        )
        return lake_link, synapse_link
