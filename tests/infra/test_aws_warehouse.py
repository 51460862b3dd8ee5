"""The AWS warehouse: where Redshift Serverless is placed, the role it reads the catalog with,
and what the learner may read back. Under Pulumi's mock runtime (no engine, no AWS here)."""

from __future__ import annotations

import json
import re

import pytest

from lakelab.blueprint import BlueprintError, from_config
from lakelab.plan import Plan, plan_blueprint
from lakelab.stackfiles import read_config

SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719", "subnet-0123abcd"]


def planned(**warehouse: object) -> Plan:
    config = read_config("demo-alice-aws")
    config["lakelab:warehouse"] = {"mode": "serverless", **warehouse}
    return plan_blueprint(from_config(config), config)


def test_without_subnets_the_workgroup_uses_the_default_vpc(aws_plan: Plan) -> None:
    workgroup = aws_plan.named("aws:redshiftserverless/workgroup:Workgroup", "workgroup").inputs
    assert "subnetIds" not in workgroup and "securityGroupIds" not in workgroup
    assert workgroup["publiclyAccessible"] is False


def test_an_existing_vpc_is_used_when_named() -> None:
    plan = planned(subnetIds=SUBNETS, securityGroupIds=["sg-0123abcd"])
    workgroup = plan.named("aws:redshiftserverless/workgroup:Workgroup", "workgroup").inputs
    assert workgroup["subnetIds"] == SUBNETS
    assert workgroup["securityGroupIds"] == ["sg-0123abcd"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("subnetIds", ["vpc-0123abcd"], "not subnet ids (subnet-0123abcd...): vpc-0123abcd"),
        ("securityGroupIds", ["sg-12"], "not security group ids (sg-0123abcd...): sg-12"),
    ],
)
def test_malformed_network_ids_are_refused(key: str, value: list[str], message: str) -> None:
    config = read_config("demo-alice-aws")
    config["lakelab:warehouse"] = {"mode": "serverless", key: value}
    with pytest.raises(BlueprintError, match=re.escape(f"lakelab:warehouse.{key}: {message}")):
        from_config(config)


def test_the_namespace_role_reads_only_the_learners_lake_and_catalog(aws_plan: Plan) -> None:
    role = aws_plan.named("aws:iam/role:Role", "warehouse-role").inputs
    assert role["name"] == "ll-demo-alice-redshift"
    policy = json.loads(
        aws_plan.named("aws:iam/rolePolicy:RolePolicy", "warehouse-role-policy").inputs["policy"]
    )
    actions = {a for st in policy["Statement"] for a in st["Action"]}
    assert not {a for a in actions if a.startswith("s3:Put") or a.startswith("glue:Create")}
    catalog = next(st for st in policy["Statement"] if st["Sid"] == "Catalog")
    assert catalog["Resource"] == [
        "arn:aws:glue:us-east-1:123456789012:catalog",
        "arn:aws:glue:us-east-1:123456789012:database/demo_alice_bronze",
        "arn:aws:glue:us-east-1:123456789012:database/demo_alice_silver",
        "arn:aws:glue:us-east-1:123456789012:database/demo_alice_gold",
        "arn:aws:glue:us-east-1:123456789012:database/demo_alice_dbt",
        "arn:aws:glue:us-east-1:123456789012:table/demo_alice_bronze/*",
        "arn:aws:glue:us-east-1:123456789012:table/demo_alice_silver/*",
        "arn:aws:glue:us-east-1:123456789012:table/demo_alice_gold/*",
        "arn:aws:glue:us-east-1:123456789012:table/demo_alice_dbt/*",
    ]
    namespace = aws_plan.named("aws:redshiftserverless/namespace:Namespace", "namespace").inputs
    arn = "arn:aws:iam::123456789012:role/ll-demo-alice-redshift"
    assert (namespace["iamRoles"], namespace["defaultIamRoleArn"]) == ([arn], arn)


def test_no_warehouse_no_results_statement() -> None:
    plan = planned(mode="none")
    assert plan.of_type("aws:redshiftserverless/namespace:Namespace") == []
    doc = json.loads(plan.named("aws:iam/userPolicy:UserPolicy", "learner-policy").inputs["policy"])
    assert [st["Sid"] for st in doc["Statement"] if st["Sid"].startswith("Warehouse")] == []
