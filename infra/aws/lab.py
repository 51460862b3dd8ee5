"""One learner's lab on AWS: the component that wires the AWS concerns together."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.aws.access import GlueServiceRole, LearnerIdentity
from infra.aws.budget import LearnerBudget
from infra.aws.catalog import Catalog
from infra.aws.jobs import DbtJob, MedallionJobs
from infra.aws.lake import LakeStorage
from infra.aws.query import QueryWorkgroup
from infra.aws.warehouse import Warehouse
from infra.aws.workflow import PipelineWorkflow, glue_retries
from infra.component import LabComponent
from infra.outputs import cost_inputs
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.dbt import athena_env
from lakelab.naming import DBT_STEP
from lakelab.pipeline.definition import Definition
from lakelab.pipeline.definition import load as load_pipeline


class AwsLearnerLab(LabComponent):
    outputs: dict[str, Any]

    def __init__(self, name: str, bp: Blueprint, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lakelab:aws:LearnerLab", name, bp.tags, opts)
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).account_id
        lake = LakeStorage("lake", bp, opts=self.child())
        glue_role = GlueServiceRole("glue", bp, account_id, opts=self.child())
        catalog = Catalog("catalog", bp, lake.buckets, opts=self.child())
        pipeline = load_pipeline()
        jobs = MedallionJobs(
            "jobs", bp, lake.buckets, glue_role.role.arn, opts=self._retried(pipeline)
        )
        query = QueryWorkgroup("query", bp, lake.buckets["query-results"], opts=self.child())
        lake_outputs = {
            purpose: {"name": b.bucket, "uri": b.bucket.apply(lambda n: f"s3://{n}/")}
            for purpose, b in lake.buckets.items()
        }
        catalogs = {layer: db.name for layer, db in catalog.databases.items()}
        dbt = DbtJob(
            "dbt",
            bp,
            lake.buckets["artifacts"],
            glue_role.role.arn,
            jobs.dbt_project_uri,
            _dbt_env(bp, lake_outputs, catalogs, query),
            opts=self._retried(pipeline),
        )
        workflow = PipelineWorkflow(
            "workflow", bp, pipeline, {**jobs.jobs, DBT_STEP: dbt.job}, opts=self.child()
        )
        warehouse = Warehouse("warehouse", bp, account_id, opts=self.child())
        identity = LearnerIdentity("learner", bp, account_id, warehouse.arns, opts=self.child())
        LearnerBudget("budget", bp, opts=self.child())

        self.outputs = {
            "lake": lake_outputs,
            "lake_endpoint": f"https://s3.{bp.region}.amazonaws.com",
            "catalogs": catalogs,
            "query": {
                "engine": "athena",
                "workgroup": query.workgroup.name,
                "endpoint": f"https://athena.{bp.region}.amazonaws.com",
            },
            "warehouse": {"mode": bp.warehouse.mode, "endpoint": warehouse.endpoint},
            "identity": {
                "kind": identity.kind,
                "name": identity.identity.name,
                "arn": identity.identity.arn,
                **identity.sign_in,
            },
            "jobs": _jobs_outputs(workflow, jobs, dbt),
            "cost_inputs": cost_inputs(bp),
        }
        self.register_outputs({})

    def _retried(self, pipeline: Definition) -> pulumi.ResourceOptions:
        """A child's options with the pipeline's retries on each Glue job it declares."""
        return pulumi.ResourceOptions.merge(
            self.child(), pulumi.ResourceOptions(transformations=[glue_retries(pipeline)])
        )


def _dbt_env(
    bp: Blueprint,
    lake_outputs: dict[str, Any],
    catalogs: dict[str, pulumi.Output[str]],
    query: QueryWorkgroup,
) -> pulumi.Output[str]:
    """The dbt job's profile, from the same values the stack exports."""
    return pulumi.Output.from_input(
        {
            "lake": lake_outputs,
            "catalogs": catalogs,
            "query": {"workgroup": query.workgroup.name},
        }
    ).apply(lambda values: json.dumps(athena_env(values, bp.region), sort_keys=True))


def _jobs_outputs(workflow: PipelineWorkflow, jobs: MedallionJobs, dbt: DbtJob) -> dict[str, Any]:
    return {
        "workflow": workflow.workflow.name,
        "stages": {stage: job.name for stage, job in jobs.jobs.items()},
        "package": jobs.package_uri,
        "dbt_project": jobs.dbt_project_uri,
        "dbt": dbt.job.name,
    }


def build(bp: Blueprint) -> AwsLearnerLab:
    """The learner's AWS lab, with a provider that tags every resource it creates."""
    provider = aws.Provider("aws", region=bp.region, default_tags={"tags": bp.tags})
    return AwsLearnerLab(bp.stack_name, bp, opts=pulumi.ResourceOptions(providers=[provider]))
