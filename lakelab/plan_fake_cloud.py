"""The values only a cloud can know (ids, ARNs, endpoints, generated passwords), filled by the
offline plan's mocks (`lakelab.plan`) with clearly fake, deterministic placeholders, so outputs
that depend on them resolve."""

from __future__ import annotations

import hashlib
from typing import Any, Final

from pulumi.runtime import mocks as pulumi_mocks

from lakelab.blueprint import Blueprint
from lakelab.clouds.azure.names import AzureNames
from lakelab.plan_recording import secret

FAKE_ACCOUNT: Final = "123456789012"
FAKE_SUBSCRIPTION: Final = "00000000-0000-0000-0000-000000000000"
FAKE_TENANT: Final = "11111111-1111-1111-1111-111111111111"


def _fake_id(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:12]


def _uuid_like(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


class PlanMocks(pulumi_mocks.Mocks):
    """Fills what a cloud would compute, so outputs that depend on it resolve."""

    def __init__(self, bp: Blueprint) -> None:
        self.bp = bp

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        physical = _physical_name(args.typ, inputs) or args.name
        state: dict[str, Any] = {**inputs, **_computed(self.bp, args.typ, physical, inputs)}
        # Most AWS ids are the physical name (a bucket's id is its name); Azure ids are paths.
        return str(state.get("id") or physical), state

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": FAKE_ACCOUNT,
                "arn": f"arn:aws:iam::{FAKE_ACCOUNT}:user/planner",
                "userId": "PLANNER",
                "id": FAKE_ACCOUNT,
            }
        if args.token == "azure-native:authorization:getClientConfig":
            return {
                "subscriptionId": FAKE_SUBSCRIPTION,
                "tenantId": FAKE_TENANT,
                "clientId": FAKE_TENANT,
                "objectId": FAKE_TENANT,
            }
        return {}


_NAME_KEYS: Final = (
    "bucket",
    "name",
    "namespaceName",
    "workgroupName",
    "clusterIdentifier",
    "accountName",
    "containerName",
    "workspaceName",
    "bigDataPoolName",
    "sqlPoolName",
    "factoryName",
    "resourceGroupName",
    "budgetName",
    "pipelineName",
    "linkedServiceName",
    "key",
    "blobName",
)


def _physical_name(typ: str, inputs: dict[str, Any]) -> str | None:
    specific = {
        "azure-native:storage:BlobContainer": "containerName",
        "azure-native:synapse:BigDataPool": "bigDataPoolName",
        "azure-native:synapse:SqlPool": "sqlPoolName",
        "azure-native:datafactory:Pipeline": "pipelineName",
        "azure-native:datafactory:LinkedService": "linkedServiceName",
        "azure-native:storage:Blob": "blobName",
        "azure-native:synapse:IpFirewallRule": "ruleName",
        "azure-native:authorization:RoleAssignment": "roleAssignmentName",
        "azure-native:storage:ManagementPolicy": "managementPolicyName",
    }.get(typ)
    for key in (specific,) if specific else _NAME_KEYS:
        value = inputs.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _computed(bp: Blueprint, typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Output properties a real create would return, with recognisable fake values."""
    if typ.startswith("aws:"):
        return _aws_computed(bp, typ, name, inputs)
    if typ == "random:index/randomPassword:RandomPassword":
        # The random provider marks both as secret.
        return {"result": secret("x" * int(inputs.get("length", 16))), "bcryptHash": secret("x")}
    if typ.startswith("azure-native:"):
        return _azure_computed(bp, typ, name)
    return {}


def _aws_computed(bp: Blueprint, typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    region, account = bp.region, FAKE_ACCOUNT
    service = typ.split(":")[1].split("/")[0]
    out: dict[str, Any] = {"arn": f"arn:aws:{service}:{region}:{account}:{name}"}
    if typ == "aws:s3/bucket:Bucket":
        out = {"arn": f"arn:aws:s3:::{name}", "bucket": name, "id": name}
    elif typ in ("aws:iam/user:User", "aws:iam/role:Role"):
        kind = "user" if typ.endswith("User") else "role"
        out = {"arn": f"arn:aws:iam::{account}:{kind}/{name}", "name": name}
    elif typ == "aws:redshiftserverless/workgroup:Workgroup":
        wid = _fake_id(name)
        out = {
            "arn": f"arn:aws:redshift-serverless:{region}:{account}:workgroup/{wid}",
            "endpoints": [
                {
                    "address": f"{name}.{account}.{region}.redshift-serverless.amazonaws.com",
                    "port": 5439,
                    "vpcEndpoints": [],
                }
            ],
        }
    elif typ == "aws:redshiftserverless/namespace:Namespace":
        out = {"arn": f"arn:aws:redshift-serverless:{region}:{account}:namespace/{_fake_id(name)}"}
    elif typ == "aws:redshift/cluster:Cluster":
        out = {
            "arn": f"arn:aws:redshift:{region}:{account}:cluster:{name}",
            "endpoint": f"{name}.{_fake_id(name)}.{region}.redshift.amazonaws.com:5439",
        }
    elif typ == "aws:iam/userLoginProfile:UserLoginProfile":
        # The provider returns the generated password (secret) when no PGP key is given.
        length = int(inputs.get("passwordLength", 20))
        out = {"password": secret("p" * length)}
    elif typ == "aws:iam/accessKey:AccessKey":
        out = {"id": f"AKIA{_fake_id(name).upper():0<16}"[:20], "secret": secret("s" * 40)}
    elif typ == "aws:s3/bucketObjectv2:BucketObjectv2":
        out = {"etag": _fake_id(name)}
    elif typ == "pulumi:providers:aws":
        out = {}
    return out


def _azure_computed(bp: Blueprint, typ: str, name: str) -> dict[str, Any]:
    sub_rg = f"/subscriptions/{FAKE_SUBSCRIPTION}/resourceGroups/{AzureNames.of(bp).resource_group}"
    module, kind = typ.split(":")[1:3]
    arm_type = f"Microsoft.{module.capitalize()}/{kind[0].lower()}{kind[1:]}s"
    out: dict[str, Any] = {"id": f"{sub_rg}/providers/{arm_type}/{name}", "name": name}
    if typ == "azure-native:resources:ResourceGroup":
        out = {"id": sub_rg, "name": name}
    elif typ == "azure-native:storage:StorageAccount":
        out["primaryEndpoints"] = {
            "blob": f"https://{name}.blob.core.windows.net/",
            "dfs": f"https://{name}.dfs.core.windows.net/",
        }
    elif typ in ("azure-native:synapse:Workspace", "azure-native:datafactory:Factory"):
        out["identity"] = {
            "type": "SystemAssigned",
            "principalId": str(_uuid_like(name)),
            "tenantId": FAKE_TENANT,
        }
        if typ == "azure-native:synapse:Workspace":
            out["connectivityEndpoints"] = {
                "dev": f"https://{name}.dev.azuresynapse.net",
                "sql": f"{name}.sql.azuresynapse.net",
                "sqlOnDemand": f"{name}-ondemand.sql.azuresynapse.net",
                "web": f"https://web.azuresynapse.net?workspace={name}",
            }
    return out
