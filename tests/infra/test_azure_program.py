"""The Azure program, run under Pulumi's mock runtime (the engine and Azure cannot run here)."""

from __future__ import annotations

import uuid

from lakelab.plan import FAKE_SUBSCRIPTION, Plan

STANDARD_TAGS = {
    "cohort": "demo",
    "learner": "alice",
    "course": "end-to-end-pipelines",
    "expires": "2030-06-30",
    "managed-by": "lakelab",
}
ACCOUNT = "lldemoalicef9ebc21a"
ALICE = "3f2a9c1e-5b7d-4e8f-9a1b-2c3d4e5f6a7b"
RG_ID = f"/subscriptions/{FAKE_SUBSCRIPTION}/resourceGroups/rg-ll-demo-alice"


def check_resource_group(plan: Plan) -> None:
    rg = plan.named("azure-native:resources:ResourceGroup", "group").inputs
    assert (rg["resourceGroupName"], rg["location"], rg["tags"]) == (
        "rg-ll-demo-alice",
        "westeurope",
        STANDARD_TAGS,
    )


def check_storage(plan: Plan) -> None:
    sa = plan.named("azure-native:storage:StorageAccount", "account").inputs
    assert sa["accountName"] == ACCOUNT
    assert sa["isHnsEnabled"] is True
    assert sa["allowBlobPublicAccess"] is False
    assert sa["minimumTlsVersion"] == "TLS1_2"
    assert sa["enableHttpsTrafficOnly"] is True
    assert sa["kind"] == "StorageV2"
    assert sa["encryption"]["services"]["blob"] == {"enabled": True, "keyType": "Account"}
    containers = {
        r.inputs["containerName"]: r.inputs
        for r in plan.of_type("azure-native:storage:BlobContainer")
    }
    assert sorted(containers) == ["artifacts", "bronze", "gold", "landing", "quarantine", "silver"]
    assert {c["publicAccess"] for c in containers.values()} == {"None"}
    policy = plan.named("azure-native:storage:ManagementPolicy", "lifecycle").inputs["policy"]
    rules = {r["name"]: r["definition"] for r in policy["rules"]}
    assert rules == {
        "cool-landing": {
            "filters": {"blobTypes": ["blockBlob"], "prefixMatch": ["landing/"]},
            "actions": {"baseBlob": {"tierToCool": {"daysAfterModificationGreaterThan": 30}}},
        },
        "expire-quarantine": {
            "filters": {
                "blobTypes": ["blockBlob"],
                "prefixMatch": [
                    "quarantine/orders/",
                    "quarantine/customers/",
                    "quarantine/products/",
                ],
            },
            "actions": {"baseBlob": {"delete": {"daysAfterModificationGreaterThan": 30}}},
        },
    }


def test_pipeline_state_never_expires(azure_plan: Plan) -> None:
    """Watermarks and run manifests live in `quarantine/_lakelab/` (the workload's default
    state location); no delete rule may select them, while quarantined rows still expire."""
    policy = azure_plan.named("azure-native:storage:ManagementPolicy", "lifecycle").inputs
    deleting = [
        prefix
        for r in policy["policy"]["rules"]
        if "delete" in r["definition"]["actions"]["baseBlob"]
        for prefix in r["definition"]["filters"]["prefixMatch"]
    ]
    state = ["quarantine/_lakelab/silver.json", "quarantine/_lakelab/runs/r1.gold.json"]
    assert [k for k in state if any(k.startswith(p) for p in deleting)] == []
    rows = "quarantine/orders/batch=2026-03-02/part-0.parquet"
    assert any(rows.startswith(p) for p in deleting)


def check_synapse(plan: Plan) -> None:
    ws = plan.named("azure-native:synapse:Workspace", "workspace").inputs
    assert ws["workspaceName"] == "ll-demo-alice-syn-f9ebc2"
    assert ws["identity"] == {"type": "SystemAssigned"}
    assert ws["sqlAdministratorLoginPassword"] == "[secret]"
    assert ws["defaultDataLakeStorage"]["accountUrl"] == f"https://{ACCOUNT}.dfs.core.windows.net/"
    rules = [r.inputs for r in plan.of_type("azure-native:synapse:IpFirewallRule")]
    assert sorted((r["ruleName"], r["startIpAddress"], r["endIpAddress"]) for r in rules) == [
        ("AllowAllWindowsAzureIps", "0.0.0.0", "0.0.0.0"),
        ("lakelab-allow-0", "203.0.113.0", "203.0.113.255"),
    ]
    pool = plan.named("azure-native:synapse:BigDataPool", "spark-pool").inputs
    assert pool["autoPause"] == {"enabled": True, "delayInMinutes": 15}
    assert pool["autoScale"] == {"enabled": True, "minNodeCount": 3, "maxNodeCount": 4}
    assert (pool["nodeSize"], pool["bigDataPoolName"]) == ("Small", "medallion")
    assert plan.of_type("azure-native:synapse:SqlPool") == []  # serverless by default


def check_data_factory(plan: Plan) -> None:
    factory = plan.named("azure-native:datafactory:Factory", "factory").inputs
    assert factory["factoryName"] == "ll-demo-alice-adf-f9ebc2"
    links = {
        r.inputs["linkedServiceName"]: r.inputs["properties"]
        for r in plan.of_type("azure-native:datafactory:LinkedService")
    }
    assert links["lake"] == {
        "type": "AzureBlobFS",
        "url": f"https://{ACCOUNT}.dfs.core.windows.net/",
    }
    assert links["synapse"]["type"] == "AzureSynapseArtifacts"
    assert links["synapse"]["endpoint"] == "https://ll-demo-alice-syn-f9ebc2.dev.azuresynapse.net"
    pipeline = plan.named("azure-native:datafactory:Pipeline", "medallion").inputs
    acts = pipeline["activities"]
    assert [a["name"] for a in acts] == ["bronze", "silver", "gold", "catalog", "dbt"]
    assert [a.get("dependsOn") for a in acts] == [
        None,
        [{"activity": "bronze", "dependencyConditions": ["Succeeded"]}],
        [{"activity": "silver", "dependencyConditions": ["Succeeded"]}],
        [{"activity": "gold", "dependencyConditions": ["Succeeded"]}],
        [{"activity": "catalog", "dependencyConditions": ["Succeeded"]}],
    ]
    for act in acts[:4]:  # the dbt step: tests/infra/test_azure_pipeline_steps.py
        assert act["type"] == "SparkJob"
        assert act["sparkJob"] == {
            "referenceName": "lakelab_medallion",
            "type": "SparkJobDefinitionReference",
        }
        assert (
            act["file"] == f"abfss://artifacts@{ACCOUNT}.dfs.core.windows.net/jobs/synapse_job.py"
        )
        assert act["pythonCodeReference"] == [
            f"abfss://artifacts@{ACCOUNT}.dfs.core.windows.net/jobs/lakelab_jobs.zip"
        ]
        assert act["arguments"][:2] == ["--stage", act["name"]]
        assert f"abfss://silver@{ACCOUNT}.dfs.core.windows.net/" in act["arguments"]


def check_access(plan: Plan) -> None:
    grants = {r.name: r.inputs for r in plan.of_type("azure-native:authorization:RoleAssignment")}
    learner = {n: g for n, g in grants.items() if n.startswith("learner-")}
    assert sorted((g["principalId"], g["scope"]) for g in learner.values()) == sorted(
        [
            (ALICE, RG_ID),
            (ALICE, RG_ID),
            (ALICE, f"{RG_ID}/providers/Microsoft.Storage/storageAccounts/{ACCOUNT}"),
        ]
    )
    for g in grants.values():
        uuid.UUID(g["roleAssignmentName"])
    blob = learner["learner-storage-blob-data-contributor"]
    assert blob["roleDefinitionId"].endswith(
        "/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"
    )
    services = {n for n, g in grants.items() if g["principalType"] == "ServicePrincipal"}
    assert services == {"workspace-lake-access", "factory-lake-access"}


def check_budget(plan: Plan) -> None:
    budget = plan.named("azure-native:consumption:Budget", "budget").inputs
    assert (budget["amount"], budget["timeGrain"], budget["category"]) == (40.0, "Monthly", "Cost")
    assert budget["scope"] == RG_ID
    assert budget["timePeriod"]["endDate"] == "2030-06-30T23:59:59Z"
    assert budget["timePeriod"]["startDate"].endswith("-01T00:00:00Z")
    assert sorted(budget["notifications"]) == [
        "actual-100",
        "actual-50",
        "actual-80",
        "forecast-100",
    ]
    assert budget["notifications"]["actual-80"]["contactEmails"] == ["alice@example.com"]


SJD = "pulumi-python:dynamic/synapse:SparkJobDefinition"


def check_artifacts(plan: Plan) -> None:
    blobs = sorted(r.inputs["blobName"] for r in plan.of_type("azure-native:storage:Blob"))
    assert blobs == [
        "dbt/lakelab_dbt.zip",
        "jobs/lakelab_jobs.zip",
        "jobs/synapse_dbt_job.py",
        "jobs/synapse_job.py",
    ]
    # Published through the workspace's dev endpoint (tests/infra/test_synapse_artifacts.py).
    sjd = plan.named(SJD, "spark-job-definition").inputs
    assert (sjd["workspaceName"], sjd["name"]) == ("ll-demo-alice-syn-f9ebc2", "lakelab_medallion")


def check_outputs(plan: Plan) -> None:
    out = plan.outputs
    assert out["lake"]["gold"] == {
        "name": "gold",
        "uri": f"abfss://gold@{ACCOUNT}.dfs.core.windows.net/",
    }
    assert out["query"]["workgroup"] == "ll-demo-alice-syn-f9ebc2-ondemand"
    assert out["query"]["endpoint"] == "ll-demo-alice-syn-f9ebc2-ondemand.sql.azuresynapse.net"
    assert out["identity"] == {
        "kind": "entra-principal",
        "name": ALICE,
        "resource_group": "rg-ll-demo-alice",
        "storage_account": ACCOUNT,
    }


def test_azure_lab(azure_plan: Plan) -> None:
    for check in (
        check_resource_group,
        check_storage,
        check_synapse,
        check_data_factory,
        check_access,
        check_budget,
        check_artifacts,
        check_outputs,
    ):
        check(azure_plan)


def test_every_taggable_azure_resource_is_tagged(azure_plan: Plan) -> None:
    tagged = [r for r in azure_plan.resources if r.custom and "tags" in r.inputs]
    assert sorted(r.type.split(":")[-1] for r in tagged) == [
        "BigDataPool",
        "Factory",
        "ResourceGroup",
        "StorageAccount",
        "Workspace",
    ]
    for r in tagged:
        assert r.inputs["tags"] == STANDARD_TAGS, r.urn


def test_no_secret_reaches_the_plan(demo_plans: dict[str, Plan]) -> None:
    import json

    for plan in demo_plans.values():
        text = json.dumps(plan.to_json())
        assert "xxxxxxxxxxxxxxxx" not in text  # the mock passwords
        assert '"[secret]"' in text
