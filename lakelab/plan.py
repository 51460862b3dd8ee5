"""The offline plan: what `pulumi up` would create for a stack, without the Pulumi engine.

The real program (`infra.program`) runs under Pulumi's mock runtime. A recording monitor keeps
every resource registration (type, logical name, parent, inputs) and the program's outputs.
Nothing here needs credentials or a network; values only a cloud can know (ids, ARNs,
endpoints) are filled with clearly fake, deterministic placeholders.

JSON form (`schema: lakelab.plan/v1`), stable and documented in docs/plan-format.md:

    {"schema", "stack", "cloud", "project", "blueprint", "resources": [...], "outputs": {...},
     "summary": {"resources", "by_type"}}

Each resource: {"urn", "type", "name", "parent", "custom", "inputs", "tags"}. Inputs keep
the engine's camelCase property names, as CrossGuard policies see them. Secrets are
replaced by "[secret]".
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import warnings
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from lakelab.blueprint import Blueprint
from lakelab.clouds.azure.names import AzureNames
from lakelab.stackfiles import load_cloud_blueprint, read_config

SCHEMA: Final = "lakelab.plan/v1"
PROJECT: Final = "lakelab"
SECRET: Final = "[secret]"
FAKE_ACCOUNT: Final = "123456789012"
FAKE_SUBSCRIPTION: Final = "00000000-0000-0000-0000-000000000000"
FAKE_TENANT: Final = "11111111-1111-1111-1111-111111111111"


@dataclass
class PlannedResource:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    tags: dict[str, str] | None


@dataclass
class Plan:
    stack: str
    cloud: str
    blueprint: dict[str, Any]
    resources: list[PlannedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    # (type, name) -> the (type, name) of each resource it waits for (`depends_on` and the
    # resources its inputs come from). Not part of the JSON form.
    dependencies: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, type_: str, name: str) -> PlannedResource:
        for r in self.resources:
            if r.type == type_ and r.name == name:
                return r
        raise KeyError(f"no {type_} named {name!r} in the plan of {self.stack}")

    def depends_on(self, type_: str, name: str) -> list[tuple[str, str]]:
        """What the resource waits for, as (type, name)."""
        self.named(type_, name)
        return self.dependencies.get((type_, name), [])

    def to_json(self) -> dict[str, Any]:
        counts = Counter(r.type for r in self.resources if r.custom)
        return {
            "schema": SCHEMA,
            "stack": self.stack,
            "cloud": self.cloud,
            "project": PROJECT,
            "blueprint": self.blueprint,
            "resources": [asdict(r) for r in self.resources],
            "outputs": self.outputs,
            "summary": {
                "resources": sum(counts.values()),
                "components": sum(1 for r in self.resources if not r.custom),
                "by_type": dict(sorted(counts.items())),
            },
        }


# --- the mock engine --------------------------------------------------------------------------
_SECRET_NAME = re.compile(r"password|secret", re.IGNORECASE)
# Settings about a password, not the password itself.
_PASSWORD_SETTINGS: Final = frozenset({"passwordLength", "passwordResetRequired"})


def _secret(value: Any) -> dict[str, Any]:
    """A value the engine would treat as secret (as a provider marks it)."""
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def _redact(value: Any) -> Any:
    """Replace secrets with "[secret]": values marked secret, and, as a second guard, any
    property whose name says it holds a password or secret."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SECRET
        return {
            k: SECRET
            if _SECRET_NAME.search(k) and k not in _PASSWORD_SETTINGS and v is not None
            else _redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if isinstance(value, pulumi.FileAsset):
        return {"asset": _relative(value.path)}
    if isinstance(value, pulumi.AssetArchive):
        return {"archive": sorted(value.assets)}
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return {"asset": type(value).__name__}
    return value


def _relative(path: str) -> str:
    from lakelab.stackfiles import project_root

    try:
        return Path(path).resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return path


def _fake_id(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:12]


class _PlanMocks(pulumi_mocks.Mocks):
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
    region, account = bp.region, FAKE_ACCOUNT
    if typ.startswith("aws:"):
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
            out = {
                "arn": f"arn:aws:redshift-serverless:{region}:{account}:namespace/{_fake_id(name)}"
            }
        elif typ == "aws:redshift/cluster:Cluster":
            out = {
                "arn": f"arn:aws:redshift:{region}:{account}:cluster:{name}",
                "endpoint": f"{name}.{_fake_id(name)}.{region}.redshift.amazonaws.com:5439",
            }
        elif typ == "aws:iam/userLoginProfile:UserLoginProfile":
            # The provider returns the generated password (secret) when no PGP key is given.
            length = int(inputs.get("passwordLength", 20))
            out = {"password": _secret("p" * length)}
        elif typ == "aws:iam/accessKey:AccessKey":
            out = {"id": f"AKIA{_fake_id(name).upper():0<16}"[:20], "secret": _secret("s" * 40)}
        elif typ == "aws:s3/bucketObjectv2:BucketObjectv2":
            out = {"etag": _fake_id(name)}
        elif typ == "pulumi:providers:aws":
            out = {}
        return out
    if typ == "random:index/randomPassword:RandomPassword":
        # The random provider marks both as secret.
        return {"result": _secret("x" * int(inputs.get("length", 16))), "bcryptHash": _secret("x")}
    if typ.startswith("azure-native:"):
        sub_rg = (
            f"/subscriptions/{FAKE_SUBSCRIPTION}/resourceGroups/{AzureNames.of(bp).resource_group}"
        )
        module, kind = typ.split(":")[1:3]
        arm_type = f"Microsoft.{module.capitalize()}/{kind[0].lower()}{kind[1:]}s"
        out = {"id": f"{sub_rg}/providers/{arm_type}/{name}", "name": name}
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
    return {}


def _uuid_like(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """Keeps each registration's parent and raw inputs, which `Mocks` does not see."""

    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[PlannedResource] = []
        self.dependencies: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            inputs = _redact(rpc.deserialize_properties(request.object, keep_internal=False))
            tags = inputs.get("tags") if isinstance(inputs.get("tags"), dict) else None
            self.dependencies[(request.type, request.name)] = sorted(
                {_type_and_name(urn) for urn in request.dependencies}
            )
            self.registrations.append(
                PlannedResource(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent or None,
                    custom=bool(request.custom),
                    inputs=inputs,
                    tags=tags,
                )
            )
        return response


def _type_and_name(urn: str) -> tuple[str, str]:
    qualified, name = urn.split("::")[2:4]
    return qualified.split("$")[-1], name


def _with_engine_urns(resources: list[PlannedResource], stack: str) -> list[PlannedResource]:
    """Give every resource the URN the engine would: `<ancestor types>$<type>::<name>`, the
    stack itself left out. The mock monitor only keeps the parent's last type."""
    by_key = {(r.type, r.name): r for r in resources}
    urns: dict[tuple[str, str], str] = {}

    def urn_of(r: PlannedResource) -> str:
        key = (r.type, r.name)
        if key not in urns:
            chain = r.type
            parent = by_key.get(_type_and_name(r.parent)) if r.parent else None
            if parent is not None:
                chain = f"{urn_of(parent).split('::')[2]}${r.type}"
            urns[key] = f"urn:pulumi:{stack}::{PROJECT}::{chain}::{r.name}"
        return urns[key]

    out = []
    # Stable order, parents before children: by depth, then URN.
    for r in sorted(resources, key=lambda r: (urn_of(r).split("::")[2].count("$"), urn_of(r))):
        parent = by_key.get(_type_and_name(r.parent)) if r.parent else None
        out.append(
            PlannedResource(
                urn=urn_of(r),
                type=r.type,
                name=r.name,
                parent=urn_of(parent) if parent else None,
                custom=r.custom,
                inputs=r.inputs,
                tags=r.tags,
            )
        )
    return out


# --- running the program ----------------------------------------------------------------------
def _config_for_runtime(config: dict[str, Any]) -> dict[str, str]:
    """Stack-file config as the engine hands it to a program: strings, objects as JSON."""
    out: dict[str, str] = {}
    for key, value in config.items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        if isinstance(value, str):
            out[full] = value
        elif isinstance(value, bool):
            out[full] = "true" if value else "false"
        else:
            out[full] = json.dumps(value, default=str)
    return out


def _resolve(value: Any) -> Any:
    return pulumi.Output.from_input(value).future()


def plan_blueprint(bp: Blueprint, config: dict[str, Any]) -> Plan:
    """Run the program for one blueprint under the mock runtime and return what it declares.

    Runtime state is global, so stacks are planned one after another, each from a clean state.
    """
    from infra.program import build, read_blueprint

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    # A fresh loop per plan: futures from an earlier stack must never leak into this one.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    mocks = _PlanMocks(bp)
    monitor = _RecordingMonitor(mocks)
    pulumi.runtime.settings.ROOT.set(None)
    pulumi_mocks.set_mocks(
        mocks, project=PROJECT, stack=bp.stack_name, preview=False, monitor=monitor
    )
    if "lakelab:nameSeed" not in config and "nameSeed" not in config:
        # A blueprint no stack file holds (cost, compare) is named as the blueprint names it:
        # names do not change what a lab declares. `plan_stack` refuses a seedless file first.
        config = {**config, "lakelab:nameSeed": bp.names.seed}
    pulumi.runtime.set_all_config(_config_for_runtime(config), [])
    resolved: dict[str, Any] = {}

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def program() -> pulumi.Output[Any]:
        lab = build(read_blueprint())
        return pulumi.Output.from_input(_marked(lab.outputs)).apply(lambda v: resolved.update(v))

    try:
        program()
    finally:
        asyncio.set_event_loop(None)
        loop.close()
        pulumi.runtime.set_all_config({}, [])
    return Plan(
        stack=bp.stack_name,
        cloud=bp.cloud,
        blueprint=bp.model_dump(mode="json", by_alias=True),
        resources=_with_engine_urns(monitor.registrations, bp.stack_name),
        outputs=_redact(resolved),
        dependencies=monitor.dependencies,
    )


def _marked(value: Any) -> Any:
    """The outputs with each secret `Output` marked as the engine would store it, so the plan
    shows "[secret]" where `pulumi stack output` would (resolving an Output unwraps it)."""
    if isinstance(value, dict):
        return {k: _marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v) for v in value]
    if isinstance(value, pulumi.Output):
        flag: pulumi.Output[bool] = pulumi.Output.from_input(value.is_secret())
        return pulumi.Output.all(value, flag).apply(
            lambda pair: _secret(pair[0]) if pair[1] else pair[0]
        )
    return value


def plan_stack(stack: str) -> Plan:
    """The offline plan of a stack config in stacks/ (validated first, with a clear error).
    It is the plan of a cloud stack, so the stack must name its organisation's seed."""
    return plan_blueprint(load_cloud_blueprint(stack), read_config(stack))
