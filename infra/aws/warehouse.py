"""The warehouse: Redshift Serverless (namespace + workgroup + usage limit) or a small
provisioned cluster, depending on `warehouse.mode`. The admin password is generated and
kept secret."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.names import AwsNames

ADMIN_USER = "lakeadmin"
DATABASE = "lab"


class Warehouse(LabComponent):
    """`endpoint` is the SQL endpoint (None when mode is `none`); `arns` are what the
    learner's policy may reach."""

    endpoint: pulumi.Output[str] | None
    arns: list[pulumi.Output[str]]

    def __init__(self, name: str, bp: Blueprint, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lakelab:aws:Warehouse", name, bp.tags, opts)
        self.endpoint = None
        self.arns = []
        mode = bp.warehouse.mode
        if mode == "none":
            self.register_outputs({})
            return
        password = random.RandomPassword(
            "admin-password",
            length=24,
            special=False,
            min_numeric=2,
            min_upper=2,
            opts=self.child(),
        )
        if mode == "serverless":
            self._serverless(bp, password.result)
        else:
            self._provisioned(bp, password.result)
        self.register_outputs({"endpoint": self.endpoint})

    def _serverless(self, bp: Blueprint, password: pulumi.Output[str]) -> None:
        namespace = aws.redshiftserverless.Namespace(
            "namespace",
            namespace_name=AwsNames.of(bp).redshift_namespace,
            db_name=DATABASE,
            admin_username=ADMIN_USER,
            admin_user_password=password,
            tags=self.tags,
            opts=self.child(),
        )
        workgroup = aws.redshiftserverless.Workgroup(
            "workgroup",
            workgroup_name=AwsNames.of(bp).redshift_workgroup,
            namespace_name=namespace.namespace_name,
            base_capacity=bp.warehouse.base_capacity_rpu,
            max_capacity=bp.warehouse.base_capacity_rpu,
            publicly_accessible=False,
            tags=self.tags,
            # Workgroups often take more than 10 minutes to create.
            opts=self.child(custom_timeouts=pulumi.CustomTimeouts(create="40m", delete="40m")),
        )
        aws.redshiftserverless.UsageLimit(
            "usage-limit",
            resource_arn=workgroup.arn,
            usage_type="serverless-compute",
            amount=bp.warehouse.usage_limit_rpu_hours,
            period="weekly",
            breach_action="deactivate",
            opts=self.child(parent=workgroup),
        )
        self.endpoint = workgroup.endpoints.apply(
            lambda eps: f"{eps[0].address}:{eps[0].port}" if eps else ""
        )
        self.arns = [workgroup.arn, namespace.arn]

    def _provisioned(self, bp: Blueprint, password: pulumi.Output[str]) -> None:
        cluster = aws.redshift.Cluster(
            "cluster",
            cluster_identifier=AwsNames.of(bp).redshift_cluster,
            node_type=bp.warehouse.node_type,
            cluster_type="single-node" if bp.warehouse.node_count == 1 else "multi-node",
            number_of_nodes=bp.warehouse.node_count,
            database_name=DATABASE,
            master_username=ADMIN_USER,
            master_password=password,
            encrypted="true",  # a string in the provider schema
            publicly_accessible=False,
            skip_final_snapshot=True,
            automated_snapshot_retention_period=1,
            tags=self.tags,
            opts=self.child(custom_timeouts=pulumi.CustomTimeouts(create="30m", delete="30m")),
        )
        self.endpoint = cluster.endpoint
        self.arns = [cluster.arn]
