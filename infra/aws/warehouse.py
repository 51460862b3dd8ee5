"""The warehouse: Redshift Serverless (namespace + workgroup + usage limit) or a small
provisioned cluster, depending on `warehouse.mode`. The admin password is generated and
kept secret."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.access import (
    WAREHOUSE_ROLE_PRINCIPALS,
    assume_role_policy,
    warehouse_role_policy,
)
from lakelab.clouds.aws.names import AwsNames

ADMIN_USER = "lakeadmin"
DATABASE = "lab"


class Warehouse(LabComponent):
    """`endpoint` is the SQL endpoint (None when mode is `none`); `arns` are what the
    learner's policy may reach."""

    endpoint: pulumi.Output[str] | None
    arns: list[pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        account_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:aws:Warehouse", name, bp.tags, opts)
        self.account_id = account_id
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

    def _role(self, bp: Blueprint) -> aws.iam.Role:
        """The namespace's role: `create external schema ... from data catalog` reads the
        learner's Glue databases and lake through it (Redshift Spectrum)."""
        role = aws.iam.Role(
            "warehouse-role",
            aws.iam.RoleArgs(
                name=AwsNames.of(bp).warehouse_role,
                assume_role_policy=json.dumps(
                    assume_role_policy({"Service": list(WAREHOUSE_ROLE_PRINCIPALS)})
                ),
                tags=self.tags,
            ),
            opts=self.child(),
        )
        aws.iam.RolePolicy(
            "warehouse-role-policy",
            aws.iam.RolePolicyArgs(
                name="lakelab-warehouse",
                role=role.id,
                policy=pulumi.Output.from_input(self.account_id).apply(
                    lambda account: json.dumps(warehouse_role_policy(bp, account))
                ),
            ),
            opts=self.child(parent=role),
        )
        return role

    def _serverless(self, bp: Blueprint, password: pulumi.Output[str]) -> None:
        role = self._role(bp)
        namespace = aws.redshiftserverless.Namespace(
            "namespace",
            namespace_name=AwsNames.of(bp).redshift_namespace,
            db_name=DATABASE,
            admin_username=ADMIN_USER,
            admin_user_password=password,
            iam_roles=[role.arn],
            default_iam_role_arn=role.arn,
            tags=self.tags,
            opts=self.child(),
        )
        network = bp.warehouse
        workgroup = aws.redshiftserverless.Workgroup(
            "workgroup",
            workgroup_name=AwsNames.of(bp).redshift_workgroup,
            namespace_name=namespace.namespace_name,
            base_capacity=bp.warehouse.base_capacity_rpu,
            max_capacity=bp.warehouse.base_capacity_rpu,
            publicly_accessible=False,
            # The learner reaches it through the Data API, which needs no network path;
            # without subnets given it is placed in the account's default VPC.
            subnet_ids=list(network.subnet_ids) or None,
            security_group_ids=list(network.security_group_ids) or None,
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
