"""Documented constraints the Azure program must meet, each checked over an offline plan.

As in `constraints.py` (AWS): the values are written as Microsoft's documentation states them,
not read from the program, so a changed constant fails like a changed blueprint value.
"""

from __future__ import annotations

import re
from typing import Any

from constraints import Constraint

from lakelab.plan import Plan

POOL = "azure-native:synapse:BigDataPool"
RULE = "azure-native:synapse:IpFirewallRule"
ROLE = "azure-native:authorization:RoleAssignment"
BUDGET = "azure-native:consumption:Budget"
ACCOUNT = "azure-native:storage:StorageAccount"
POLICY = "azure-native:storage:ManagementPolicy"
SJD = "pulumi-python:dynamic/synapse:SparkJobDefinition"

SUPPORTED_SPARK: frozenset[str] = frozenset({"3.5"})  # GA; 3.4 reached end of support 2026-03-31
NODE_SIZES = frozenset({"Small", "Medium", "Large", "XLarge", "XXLarge"})
BUILT_IN_ROLES = {
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "673868aa-7521-48a0-acc6-0f60742d39f5": "Data Factory Contributor",
}


def spark_runtime(plan: Plan) -> list[str]:
    versions = [(f"pool {p.name}", p.inputs.get("sparkVersion")) for p in plan.of_type(POOL)]
    versions += [
        (f"job definition {s.name}", s.inputs["definition"].get("requiredSparkVersion"))
        for s in plan.of_type(SJD)
    ]
    return [f"{what}: Spark {v}" for what, v in versions if v not in SUPPORTED_SPARK]


def pool_shape(plan: Plan) -> list[str]:
    found = []
    for p in plan.of_type(POOL):
        i: dict[str, Any] = p.inputs
        scale, pause = i.get("autoScale") or {}, i.get("autoPause") or {}
        if i.get("nodeSize") not in NODE_SIZES:
            found.append(f"node size {i.get('nodeSize')}")
        if scale.get("minNodeCount", 0) < 3 or scale.get("maxNodeCount", 0) > 200:
            found.append(f"autoScale {scale}: 3 nodes at least, 200 at most")
        if not pause.get("enabled") or pause.get("delayInMinutes", 0) < 5:
            found.append(f"autoPause {pause}: enabled, 5 minutes at least")
    return found


def azure_services_rule(plan: Plan) -> list[str]:
    """Data Factory reaches the workspace only through the rule named AllowAllWindowsAzureIps
    with start and end 0.0.0.0."""
    for r in plan.of_type(RULE):
        i = r.inputs
        if (i["ruleName"], i["startIpAddress"], i["endIpAddress"]) == (
            "AllowAllWindowsAzureIps", "0.0.0.0", "0.0.0.0",
        ):  # fmt: skip
            return []
    return ["no AllowAllWindowsAzureIps (0.0.0.0-0.0.0.0) rule"]


def role_ids(plan: Plan) -> list[str]:
    found = []
    for r in plan.of_type(ROLE):
        role = r.inputs["roleDefinitionId"].rsplit("/", 1)[-1]
        if role not in BUILT_IN_ROLES:
            found.append(f"{r.name}: role definition {role} is not a documented built-in role")
    return found


def budget_notifications(plan: Plan) -> list[str]:
    return [f"budget {b.inputs['budgetName']}: {len(b.inputs['notifications'])} notifications"
            for b in plan.of_type(BUDGET) if len(b.inputs["notifications"]) > 5]  # fmt: skip


def account_name(plan: Plan) -> list[str]:
    return [f"storage account {a.inputs['accountName']!r}" for a in plan.of_type(ACCOUNT)
            if not re.fullmatch(r"[a-z0-9]{3,24}", a.inputs["accountName"])]  # fmt: skip


def quarantine_state_kept(plan: Plan) -> list[str]:
    found = []
    for policy in plan.of_type(POLICY):
        for rule in policy.inputs["policy"]["rules"]:
            actions = rule["definition"]["actions"].get("baseBlob", {})
            prefixes = rule["definition"]["filters"].get("prefixMatch", [])
            if "delete" in actions and any(
                "quarantine/_lakelab/watermarks.json".startswith(p) for p in prefixes
            ):
                found.append(f"rule {rule['name']} deletes quarantine/_lakelab/")
    return found


def shared_metadata(plan: Plan) -> list[str]:
    """Serverless SQL sees a Spark database under its own name and its tables lower-cased:
    the pipeline's catalog step is a Spark job over the lake that creates `<prefix>_<layer>`,
    lower case, the names the stack advertises as its serverless SQL databases."""
    acts = plan.named("azure-native:datafactory:Pipeline", "medallion").inputs["activities"]
    steps = [a for a in acts if a["arguments"][:2] == ["--stage", "catalog"]]
    if [a["type"] for a in steps] != ["SparkJob"]:
        return ["no Spark job activity runs --stage catalog"]
    args = steps[0]["arguments"]
    prefix = str(args[args.index("--catalog_prefix") + 1])
    found = [] if re.fullmatch(r"[a-z0-9_]+", prefix) else [f"catalog prefix {prefix!r}"]
    advertised = plan.outputs.get("catalogs", {})
    found += [f"catalog {layer}: {db} is not {prefix}_{layer}"
              for layer, db in advertised.items() if db != f"{prefix}_{layer}"]  # fmt: skip
    return found


# The runtime's own components, which pool packages must not replace (Spark 3.5 runtime:
# Python 3.11, Delta Lake 3.2; dbt-core 1.11 needs Python 3.10 or newer).
RUNTIME_PACKAGES = frozenset({"pyspark", "python", "delta-spark", "py4j"})


def pool_packages(plan: Plan) -> list[str]:
    found = []
    for p in plan.of_type(POOL):
        content = (p.inputs.get("libraryRequirements") or {}).get("content", "")
        for line in filter(None, (x.strip() for x in content.splitlines())):
            name, _, version = line.partition("==")
            if name.lower() in RUNTIME_PACKAGES or not version:
                found.append(f"pool {p.name}: {line!r} (pin packages; never the runtime's own)")
    return found


AZURE: tuple[Constraint, ...] = (
    Constraint("spark-runtime", "Synapse Spark 3.5 (3.4 is past end of support)",
               "https://learn.microsoft.com/azure/synapse-analytics/spark/"
               "apache-spark-version-support", spark_runtime),
    Constraint("pool-shape", "node sizes Small..XXLarge; 3 to 200 nodes; auto-pause >= 5 min",
               "https://learn.microsoft.com/azure/synapse-analytics/spark/"
               "apache-spark-pool-configurations", pool_shape),
    Constraint("azure-services-rule",
               "Azure services reach the workspace through AllowAllWindowsAzureIps (0.0.0.0)",
               "https://learn.microsoft.com/azure/synapse-analytics/security/"
               "synapse-workspace-ip-firewall", azure_services_rule),
    Constraint("role-ids", "role assignments name documented built-in role ids",
               "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles",
               role_ids),
    Constraint("budget-notifications", "a budget has at most five notifications",
               "https://learn.microsoft.com/rest/api/consumption/budgets/create-or-update",
               budget_notifications),
    Constraint("account-name", "a storage account name is 3-24 lowercase letters and digits",
               "https://learn.microsoft.com/azure/storage/common/storage-account-overview",
               account_name),
    Constraint("quarantine-state", "no delete rule selects quarantine/_lakelab/",
               "https://learn.microsoft.com/azure/storage/blobs/lifecycle-management-overview",
               quarantine_state_kept),
    Constraint("shared-metadata",
               "Spark databases and Parquet tables reach serverless SQL under the same,"
               " lower-case, names",
               "https://learn.microsoft.com/azure/synapse-analytics/metadata/table",
               shared_metadata),
    Constraint("pool-packages",
               "pool packages are pinned and never alter the runtime's PySpark or Python",
               "https://learn.microsoft.com/azure/synapse-analytics/spark/"
               "apache-spark-manage-pool-packages", pool_packages),
)  # fmt: skip
