"""The shared workload on Synapse: artifacts in the lake's `artifacts` filesystem and the
Synapse Spark job definition that Data Factory runs once per medallion stage."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.resources as resources
import pulumi_azure_native.storage as storage

from infra import artifacts
from infra.azure.lake import ARTIFACTS, LakeStorage
from infra.azure.synapse import SPARK_VERSION, SynapseAnalytics
from infra.azure.synapse_artifacts import SparkJobDefinition, SparkJobDefinitionProperties
from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.azure.names import AzureNames

JOB_DEFINITION = "lakelab_medallion"


class MedallionJobs(LabComponent):
    def __init__(
        self,
        name: str,
        bp: Blueprint,
        group: resources.ResourceGroup,
        lake: LakeStorage,
        analytics: SynapseAnalytics,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:azure:MedallionJobs", name, bp.tags, opts)
        base = lake.uri(ARTIFACTS)

        def upload(
            logical: str, key: str, source: pulumi.Asset | pulumi.Archive
        ) -> pulumi.Output[str]:
            blob = storage.Blob(
                logical,
                blob_name=key,
                container_name=lake.containers[ARTIFACTS].name,
                account_name=lake.account.name,
                resource_group_name=group.name,
                type=storage.BlobType.BLOCK,
                source=source,
                opts=self.child(),
            )
            return pulumi.Output.concat(base, blob.name)

        self.entry_uri = upload(
            "synapse-entry", artifacts.ENTRY_KEYS["synapse"], artifacts.entry_script("synapse")
        )
        self.package_uri = upload(
            "workload-package", artifacts.PACKAGE_KEY, artifacts.workload_package()
        )
        self.dbt_project_uri = upload("dbt-project", artifacts.DBT_KEY, artifacts.dbt_project())
        self.dbt_entry_uri = upload(
            "synapse-dbt-entry",
            artifacts.ENTRY_KEYS["synapse_dbt"],
            artifacts.entry_script("synapse_dbt"),
        )
        self.layer_uris = {layer: lake.uri(layer) for layer in bp.layers}

        # A workspace artifact, not an ARM resource: published through the workspace's dev
        # endpoint once the firewall admits the deployer and the pool exists.
        definition = pulumi.Output.all(self.entry_uri, self.package_uri).apply(
            lambda uris: _job_definition(bp, uris[0], uris[1])
        )
        self.job_definition = SparkJobDefinition(
            "spark-job-definition",
            workspace_name=analytics.workspace.name,
            name=JOB_DEFINITION,
            definition=definition,
            after=[*analytics.admits_deployer, analytics.spark_pool],
            parent=self,
        )
        self.job_definition_name = JOB_DEFINITION
        self.register_outputs({"package": self.package_uri})


def _job_definition(
    bp: Blueprint, entry_uri: str, package_uri: str
) -> SparkJobDefinitionProperties:
    return {
        "targetBigDataPool": {
            "referenceName": AzureNames.of(bp).synapse_spark_pool,
            "type": "BigDataPoolReference",
        },
        "requiredSparkVersion": SPARK_VERSION,
        "language": "python",
        "jobProperties": {
            "name": JOB_DEFINITION,
            "file": entry_uri,
            "pyFiles": [package_uri],
            "args": [],
            "conf": {"spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS"},
            "driverMemory": "28g",
            "driverCores": 4,
            "executorMemory": "28g",
            "executorCores": 4,
            "numExecutors": 2,
        },
    }
