"""The Data Factory pipeline's steps after gold, read back from the real program run under
Pulumi's mock runtime (the Pulumi engine and Azure cannot run here).

The catalog step is the Spark job definition once more, with `--stage catalog`: it creates
the Spark databases and external tables that Synapse shares with serverless SQL
(workloads/spark/lakelab_jobs/spark_catalog.py; its statements run on local Spark in
tests/workloads_spark/test_spark_catalog.py).
"""

from __future__ import annotations

from typing import Any

from lakelab.plan import Plan

ACCOUNT = "lldemoalicef9ebc21a"


def activities(plan: Plan) -> dict[str, dict[str, Any]]:
    pipeline = plan.named("azure-native:datafactory:Pipeline", "medallion").inputs
    return {a["name"]: a for a in pipeline["activities"]}


def option(act: dict[str, Any], name: str) -> str:
    args = act["arguments"]
    return str(args[args.index(name) + 1])


def test_the_catalog_step_runs_after_gold_with_the_definition_s_policy(azure_plan: Plan) -> None:
    catalog = activities(azure_plan)["catalog"]
    assert catalog["type"] == "SparkJob"
    assert catalog["dependsOn"] == [{"activity": "gold", "dependencyConditions": ["Succeeded"]}]
    # medallion.yaml: catalog retries 3, every 30 s, times out after 10 minutes.
    assert catalog["policy"] == {
        "retry": 3,
        "retryIntervalInSeconds": 30,
        "timeout": "0.00:10:00",
    }
    assert catalog["sparkJob"] == {
        "referenceName": "lakelab_medallion",
        "type": "SparkJobDefinitionReference",
    }
    assert catalog["targetBigDataPool"] == {
        "referenceName": "medallion",
        "type": "BigDataPoolReference",
    }
    assert catalog["linkedServiceName"] == {
        "referenceName": "synapse",
        "type": "LinkedServiceReference",
    }


def test_the_catalog_step_registers_in_the_databases_the_learner_queries(azure_plan: Plan) -> None:
    catalog = activities(azure_plan)["catalog"]
    assert catalog["arguments"][:2] == ["--stage", "catalog"]
    assert option(catalog, "--catalog_prefix") == "demo_alice"
    for layer in ("bronze", "silver", "gold"):
        assert (
            option(catalog, f"--{layer}_uri") == f"abfss://{layer}@{ACCOUNT}.dfs.core.windows.net/"
        )
    # The same names the stack's outputs advertise as the serverless SQL databases.
    assert azure_plan.outputs["catalogs"] == {
        "bronze": "demo_alice_bronze",
        "silver": "demo_alice_silver",
        "gold": "demo_alice_gold",
    }
    # The stage activities register nothing.
    for name in ("bronze", "silver", "gold"):
        assert "--catalog_prefix" not in activities(azure_plan)[name]["arguments"]


def test_the_dbt_step_builds_the_project_in_spark_after_the_catalog(azure_plan: Plan) -> None:
    import json

    dbt = activities(azure_plan)["dbt"]
    assert dbt["type"] == "SparkJob"
    assert dbt["dependsOn"] == [{"activity": "catalog", "dependencyConditions": ["Succeeded"]}]
    # medallion.yaml: dbt retries once after 120 s and times out after 30 minutes.
    assert dbt["policy"] == {"retry": 1, "retryIntervalInSeconds": 120, "timeout": "0.00:30:00"}
    artifacts = f"abfss://artifacts@{ACCOUNT}.dfs.core.windows.net/"
    assert dbt["file"] == f"{artifacts}jobs/synapse_dbt_job.py"
    assert "pythonCodeReference" not in dbt
    assert option(dbt, "--dbt_project_uri") == f"{artifacts}dbt/lakelab_dbt.zip"
    assert json.loads(option(dbt, "--dbt_env")) == {
        "LAKELAB_DBT_TARGET": "synapse_spark",
        "LAKELAB_DBT_SCHEMA": "demo_alice_dbt",
        "LAKELAB_SILVER_SCHEMA": "demo_alice_silver",
        "LAKELAB_DBT_LOCATION_ROOT": f"abfss://gold@{ACCOUNT}.dfs.core.windows.net/_dbt",
    }


def test_the_pool_installs_the_pinned_dbt(azure_plan: Plan) -> None:
    pool = azure_plan.named("azure-native:synapse:BigDataPool", "spark-pool").inputs
    assert pool["libraryRequirements"] == {
        "filename": "requirements.txt",
        "content": "dbt-core==1.11.16\ndbt-spark==1.11.0\n",
    }


def test_an_activity_s_type_is_the_args_class_s_own() -> None:
    """azure-native's activity Args classes set their own `type` discriminator whatever is
    passed: a misspelt type (`SparkJobX`) cannot reach the pipeline. Pinned here because the
    program relies on it (mypy cannot see it: the parameter is typed `str`)."""
    import pulumi
    import pulumi_azure_native.datafactory as datafactory

    act = datafactory.SynapseSparkJobDefinitionActivityArgs(
        name="x",
        type="SparkJobX",
        spark_job=datafactory.SynapseSparkJobReferenceArgs(
            reference_name="j",
            type=datafactory.SparkJobReferenceType.SPARK_JOB_DEFINITION_REFERENCE,
        ),
    )
    assert pulumi.get(act, "type") == "SparkJob"
