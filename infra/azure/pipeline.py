"""The pipeline definition (`lakelab/pipeline/medallion.yaml`) as Data Factory activities.

Rendered from the definition and nothing else:

- one Synapse Spark job activity per step the Spark job definition runs: the medallion
  stages and the catalog step (the activity is named after the step and passes
  `--stage <step>`; the catalog step also passes `--catalog_prefix`, and creates the Spark
  databases and external tables that Synapse shares with serverless SQL); the dbt step runs
  the same definition with its own entry file (`synapse_dbt_job.py`: dbt-spark builds the
  shared dbt project in the job's session, docs/cloud-azure.md says why not on serverless SQL);
- `dependsOn` with the `Succeeded` condition on each of the step's upstream activities;
- the step's retries, retry interval and timeout as the activity policy (`retry`,
  `retryIntervalInSeconds`, `timeout` as `d.hh:mm:ss`). Data Factory accepts retry intervals
  from 30 seconds, so a shorter interval is rendered as 30; it has no backoff;
- the parameters as pipeline parameters, passed to each stage (`--mode`, `--run_date`).

Steps with no activity here (land, quality gate) are not rendered: each step after one waits
for that step's own upstreams instead (`Definition.restricted`); docs/orchestration.md says
where those steps run instead.
"""

from __future__ import annotations

import json
from typing import Final

import pulumi
import pulumi_azure_native.datafactory as datafactory

from infra.azure.jobs import MedallionJobs
from lakelab.blueprint import Blueprint
from lakelab.clouds.azure.dbt import synapse_spark_env
from lakelab.clouds.azure.names import AzureNames
from lakelab.naming import CATALOG_STEP, DBT_STEP, STAGES
from lakelab.pipeline.definition import Definition, load

SYNAPSE_LINK: Final = "synapse"
MIN_RETRY_INTERVAL_S: Final = 30
# The definition's steps that are Synapse Spark job activities here.
SPARK_STEPS: Final = (*STAGES, CATALOG_STEP, DBT_STEP)


def adf_timeout(minutes: int) -> str:
    """`d.hh:mm:ss`, the form Data Factory's activity policy takes."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    return f"{days}.{hours:02d}:{mins:02d}:00"


def pipeline_parameters(
    definition: Definition | None = None,
) -> dict[str, datafactory.ParameterSpecificationArgs]:
    definition = definition or load()
    return {
        name: datafactory.ParameterSpecificationArgs(
            type=datafactory.ParameterType.STRING, default_value=definition.default(name)
        )
        for name in definition.parameters
    }


def stage_activities(
    bp: Blueprint, jobs: MedallionJobs, definition: Definition | None = None
) -> list[datafactory.SynapseSparkJobDefinitionActivityArgs]:
    definition = definition or load()
    graph = definition.restricted(s for s in definition.ids if s in SPARK_STEPS)
    return [_activity(bp, definition, step, upstream, jobs) for step, upstream in graph.items()]


def _stage_code(
    bp: Blueprint, definition: Definition, step: str, jobs: MedallionJobs
) -> tuple[pulumi.Input[str], list[pulumi.Input[str]], list[pulumi.Input[str]]]:
    """(entry file, python files, arguments) of a medallion stage or the catalog step."""
    args: list[pulumi.Input[str]] = ["--stage", step, "--run_id", "@pipeline().RunId"]
    if step == CATALOG_STEP:
        args += ["--catalog_prefix", AzureNames.of(bp).catalog_prefix]
    for parameter in definition.parameters:
        args += [f"--{parameter}", f"@pipeline().parameters.{parameter}"]
    for layer in ("landing", "bronze", "silver", "gold", "quarantine"):
        args += [f"--{layer}_uri", jobs.layer_uris[layer]]
    return jobs.entry_uri, [jobs.package_uri], args


def _dbt_code(
    bp: Blueprint, jobs: MedallionJobs
) -> tuple[pulumi.Input[str], list[pulumi.Input[str]], list[pulumi.Input[str]]]:
    """(entry file, python files, arguments) of the dbt step: the shared project built by
    dbt-spark in the job's own session (workloads/spark/entrypoints/synapse_dbt_job.py)."""
    names = AzureNames.of(bp)
    env = pulumi.Output.from_input(jobs.layer_uris["gold"]).apply(
        lambda gold: json.dumps(synapse_spark_env(names, gold), sort_keys=True)
    )
    return jobs.dbt_entry_uri, [], ["--dbt_project_uri", jobs.dbt_project_uri, "--dbt_env", env]


def _activity(
    bp: Blueprint,
    definition: Definition,
    step: str,
    upstream: tuple[str, ...],
    jobs: MedallionJobs,
) -> datafactory.SynapseSparkJobDefinitionActivityArgs:
    if step == DBT_STEP:
        file, py_files, args = _dbt_code(bp, jobs)
    else:
        file, py_files, args = _stage_code(bp, definition, step, jobs)
    policy = definition.policy(step)
    return datafactory.SynapseSparkJobDefinitionActivityArgs(
        name=step,
        type="SparkJob",
        spark_job=datafactory.SynapseSparkJobReferenceArgs(
            reference_name=jobs.job_definition_name,
            type=datafactory.SparkJobReferenceType.SPARK_JOB_DEFINITION_REFERENCE,
        ),
        file=file,
        python_code_reference=py_files or None,
        arguments=args,
        target_big_data_pool=datafactory.BigDataPoolParametrizationReferenceArgs(
            reference_name=AzureNames.of(bp).synapse_spark_pool,
            type=datafactory.BigDataPoolReferenceType.BIG_DATA_POOL_REFERENCE,
        ),
        linked_service_name=datafactory.LinkedServiceReferenceArgs(
            reference_name=SYNAPSE_LINK, type=datafactory.Type.LINKED_SERVICE_REFERENCE
        ),
        depends_on=[
            datafactory.ActivityDependencyArgs(
                activity=u, dependency_conditions=[datafactory.DependencyCondition.SUCCEEDED]
            )
            for u in upstream
        ]
        or None,
        policy=datafactory.ActivityPolicyArgs(
            timeout=adf_timeout(policy.timeout_min),
            retry=policy.retries,
            retry_interval_in_seconds=max(MIN_RETRY_INTERVAL_S, policy.retry_interval_s),
        ),
    )
