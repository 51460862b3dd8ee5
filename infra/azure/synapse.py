"""Synapse: a workspace with managed identity and serverless SQL, a firewall that admits only
the configured ranges, an auto-pausing Spark pool and, with `warehouse.mode: provisioned`,
a dedicated SQL pool that is paused as soon as it exists."""

from __future__ import annotations

import ipaddress
from typing import Final

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.resources as resources
import pulumi_azure_native.synapse as synapse
import pulumi_command as command
import pulumi_random as random

from infra import artifacts
from infra.azure.lake import ARTIFACTS, LakeStorage
from infra.azure.roles import assign
from infra.azure.synapse_artifacts import SparkVersion
from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.azure.names import AzureNames

ADMIN_USER = "lakeadmin"
# Azure Synapse Runtime for Apache Spark 3.5, the generally available runtime; 3.4 reached end
# of support on 2026-03-31. The local engine is the same Spark (pyproject pins pyspark 3.5.x;
# tests/infra/test_azure_spark_runtime.py checks that they agree).
# https://learn.microsoft.com/azure/synapse-analytics/spark/apache-spark-version-support
# https://learn.microsoft.com/azure/synapse-analytics/spark/apache-spark-34-runtime
SPARK_VERSION: Final[SparkVersion] = "3.5"
AZURE_SERVICES_RULE = "AllowAllWindowsAzureIps"
# What the pool installs on top of its runtime: dbt for the pipeline's dbt step.
POOL_PACKAGES = ("dbt-core", "dbt-spark")


def pool_requirements() -> str:
    return "".join(f"{pin}\n" for pin in artifacts.dbt_pins(*POOL_PACKAGES))


class SynapseAnalytics(LabComponent):
    sql_pool: synapse.SqlPool | None

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        group: resources.ResourceGroup,
        lake: LakeStorage,
        subscription_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:azure:SynapseAnalytics", name, bp.tags, opts)
        self.workspace = self._workspace(bp, group, lake)
        self.admits_deployer, self.azure_services = self._firewall(bp, group)
        self._lake_access(bp, lake, subscription_id)
        self.spark_pool = self._spark_pool(bp, group)
        self.sql_pool = None
        if bp.warehouse.mode == "provisioned":
            self.sql_pool = self._dedicated_pool(bp, group)
        self.serverless_endpoint = self.workspace.connectivity_endpoints.apply(
            lambda eps: (eps or {}).get("sqlOnDemand", "")
        )
        self.dev_endpoint = self.workspace.connectivity_endpoints.apply(
            lambda eps: (eps or {}).get("dev", "")
        )
        self.register_outputs({"workspace": self.workspace.name})

    def _workspace(
        self, bp: Blueprint, group: resources.ResourceGroup, lake: LakeStorage
    ) -> synapse.Workspace:
        password = random.RandomPassword(
            "sql-admin-password",
            length=24,
            special=True,
            override_special="_-!",
            min_numeric=2,
            min_upper=2,
            min_lower=2,
            opts=self.child(),
        )
        return synapse.Workspace(
            "workspace",
            workspace_name=AzureNames.of(bp).synapse_workspace,
            resource_group_name=group.name,
            location=bp.region,
            identity=synapse.ManagedIdentityArgs(type=synapse.ResourceIdentityType.SYSTEM_ASSIGNED),
            default_data_lake_storage=synapse.DataLakeStorageAccountDetailsArgs(
                account_url=lake.dfs_endpoint,
                filesystem=lake.containers[ARTIFACTS].name,
                resource_id=lake.account.id,
            ),
            managed_resource_group_name=AzureNames.of(bp).managed_resource_group,
            sql_administrator_login=ADMIN_USER,
            sql_administrator_login_password=password.result,
            public_network_access=synapse.WorkspacePublicNetworkAccess.ENABLED,
            tags=self.tags,
            opts=self.child(),
        )

    def _firewall(
        self, bp: Blueprint, group: resources.ResourceGroup
    ) -> tuple[list[pulumi.Resource], synapse.IpFirewallRule]:
        """The rules of the configured ranges, and the one that admits Azure services."""
        ws = self.child(parent=self.workspace)
        # The configured ranges admit the learner and the deployer (whose `up` calls the
        # workspace's dev endpoint to assign Synapse roles: `admits_deployer`).
        admits_deployer: list[pulumi.Resource] = []
        for index, cidr in enumerate(bp.network.allowed_ip_ranges):
            net = ipaddress.ip_network(cidr)
            admits_deployer.append(
                synapse.IpFirewallRule(
                    f"allow-{index}",
                    rule_name=f"lakelab-allow-{index}",
                    workspace_name=self.workspace.name,
                    resource_group_name=group.name,
                    start_ip_address=str(net[0]),
                    end_ip_address=str(net[-1]),
                    opts=ws,
                )
            )
        # Data Factory reaches the workspace from Azure's own addresses: the rule Synapse
        # names for "Allow Azure services and resources to access this workspace".
        # https://learn.microsoft.com/azure/synapse-analytics/security/synapse-workspace-ip-firewall
        azure_services = synapse.IpFirewallRule(
            "allow-azure-services",
            rule_name=AZURE_SERVICES_RULE,
            workspace_name=self.workspace.name,
            resource_group_name=group.name,
            start_ip_address="0.0.0.0",
            end_ip_address="0.0.0.0",
            opts=ws,
        )
        return admits_deployer, azure_services

    def _lake_access(
        self, bp: Blueprint, lake: LakeStorage, subscription_id: pulumi.Input[str]
    ) -> None:
        """The workspace identity reads and writes the lake it runs on."""
        assign(
            "workspace-lake-access",
            stack_key=bp.stack_name,
            role="Storage Blob Data Contributor",
            principal_id=self.workspace.identity.apply(lambda i: i.principal_id if i else ""),
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            scope=lake.account.id,
            subscription_id=subscription_id,
            opts=self.child(parent=self.workspace),
        )

    def _spark_pool(self, bp: Blueprint, group: resources.ResourceGroup) -> synapse.BigDataPool:
        return synapse.BigDataPool(
            "spark-pool",
            big_data_pool_name=AzureNames.of(bp).synapse_spark_pool,
            workspace_name=self.workspace.name,
            resource_group_name=group.name,
            location=bp.region,
            spark_version=SPARK_VERSION,
            node_size=bp.spark.node_size,
            node_size_family=synapse.NodeSizeFamily.MEMORY_OPTIMIZED,
            auto_pause=synapse.AutoPausePropertiesArgs(
                enabled=True, delay_in_minutes=bp.spark.auto_pause_minutes
            ),
            auto_scale=synapse.AutoScalePropertiesArgs(
                enabled=True, min_node_count=bp.spark.min_nodes, max_node_count=bp.spark.max_nodes
            ),
            dynamic_executor_allocation=synapse.DynamicExecutorAllocationArgs(enabled=False),
            # dbt for the pipeline's dbt step, installed once per pool from PyPI (pip freeze
            # format; the runtime's own PySpark and Python are not changed): Microsoft Learn,
            # "Manage libraries for Apache Spark pools in Azure Synapse Analytics",
            # https://learn.microsoft.com/azure/synapse-analytics/spark/apache-spark-manage-pool-packages
            library_requirements=synapse.LibraryRequirementsArgs(
                filename="requirements.txt", content=pool_requirements()
            ),
            tags=self.tags,
            opts=self.child(parent=self.workspace),
        )

    def _dedicated_pool(self, bp: Blueprint, group: resources.ResourceGroup) -> synapse.SqlPool:
        pool = synapse.SqlPool(
            "dedicated-pool",
            sql_pool_name=AzureNames.of(bp).synapse_sql_pool,
            workspace_name=self.workspace.name,
            resource_group_name=group.name,
            location=bp.region,
            sku=synapse.SkuArgs(name=bp.warehouse.dedicated_sku, tier="DataWarehouse"),
            create_mode=synapse.CreateMode.DEFAULT,
            storage_account_type=synapse.StorageAccountType.LRS,
            tags={**self.tags, "lakelab-created-paused": "true"},
            opts=self.child(parent=self.workspace),
        )
        # ARM has no "create paused" flag: pause the pool right after it is created, so it
        # bills for minutes, not for the life of the cohort. Needs the Azure CLI, signed in.
        command.local.Command(
            "pause-dedicated-pool",
            create=pulumi.Output.concat(
                "az synapse sql pool pause --name ",
                pool.name,
                " --workspace-name ",
                self.workspace.name,
                " --resource-group ",
                group.name,
            ),
            opts=self.child(parent=pool, depends_on=[pool]),
        )
        return pool
