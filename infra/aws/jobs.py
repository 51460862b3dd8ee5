"""The shared workload on Glue: artifacts, one Glue 5.0 job per medallion stage, and the job
of the dbt step (the shared dbt project against Athena). The workflow that runs them comes
from the pipeline definition (`infra/aws/workflow.py`)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra import artifacts
from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.names import AwsNames
from lakelab.naming import DBT_STEP, STAGES

GLUE_VERSION = "5.0"


class MedallionJobs(LabComponent):
    jobs: dict[str, aws.glue.Job]

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        buckets: dict[str, aws.s3.Bucket],
        glue_role_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:aws:MedallionJobs", name, bp.tags, opts)
        store = buckets["artifacts"]
        script = self._upload(
            store, "glue-entry", artifacts.ENTRY_KEYS["glue"], artifacts.entry_script("glue")
        )
        package = self._upload(
            store, "workload-package", artifacts.PACKAGE_KEY, artifacts.workload_package()
        )
        self.dbt_project_uri = self._upload(
            store, "dbt-project", artifacts.DBT_KEY, artifacts.dbt_project()
        )
        self.package_uri = package
        self.jobs = {}
        for stage in STAGES:
            self.jobs[stage] = self._stage_job(bp, stage, buckets, glue_role_arn, script, package)
        self.register_outputs({s: j.name for s, j in self.jobs.items()})

    def _upload(
        self,
        store: aws.s3.Bucket,
        logical: str,
        key: str,
        source: pulumi.Asset | pulumi.Archive,
    ) -> pulumi.Output[str]:
        """An artifact in the artifacts bucket, as its s3:// URI."""
        obj = aws.s3.BucketObjectv2(
            logical,
            bucket=store.id,
            key=key,
            source=source,
            tags=self.tags,
            opts=self.child(),
        )
        return pulumi.Output.concat("s3://", obj.bucket, "/", obj.key)

    def _stage_job(
        self,
        bp: Blueprint,
        stage: str,
        buckets: dict[str, aws.s3.Bucket],
        glue_role_arn: pulumi.Input[str],
        script: pulumi.Output[str],
        package: pulumi.Output[str],
    ) -> aws.glue.Job:
        def uri(layer: str) -> pulumi.Output[str]:
            return buckets[layer].bucket.apply(lambda b: f"s3://{b}/")

        return aws.glue.Job(
            f"{stage}-job",
            name=AwsNames.of(bp).glue_job(stage),
            role_arn=glue_role_arn,
            glue_version=GLUE_VERSION,
            worker_type=bp.spark.glue_worker_type,
            number_of_workers=bp.spark.glue_workers,
            timeout=60,
            max_retries=0,
            execution_class=bp.spark.glue_execution_class,
            command={"name": "glueetl", "python_version": "3", "script_location": script},
            default_arguments={
                "--job-language": "python",
                "--stage": stage,
                "--extra-py-files": package,
                "--landing_uri": uri("landing"),
                "--bronze_uri": uri("bronze"),
                "--silver_uri": uri("silver"),
                "--gold_uri": uri("gold"),
                "--quarantine_uri": uri("quarantine"),
                # The job registers its tables in <prefix>_<layer> (no crawler).
                "--catalog_prefix": AwsNames.of(bp).catalog_prefix,
                "--enable-metrics": "true",
                # No `--enable-continuous-cloudwatch-log`: that is Glue 4.0 and earlier;
                # every Glue 5.0 job logs to CloudWatch in real time.
                "--conf": "spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS",
            },
            tags=self.tags,
            opts=self.child(),
        )


# Glue installs these into the dbt job (the pins of workloads/dbt/requirements.txt).
DBT_PACKAGES = ("dbt-core", "dbt-athena")


class DbtJob(LabComponent):
    """The pipeline's dbt step: `dbt build --target athena` after gold, as the Glue role.

    A Glue 5.0 Spark job on the smallest worker setting rather than a Python shell job:
    Python shell runs Python 3.9, and dbt-core 1.11 needs 3.10 or newer. `dbt_env` is the
    profile's variables as JSON (`lakelab.clouds.aws.dbt.athena_env`)."""

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        store: aws.s3.Bucket,
        glue_role_arn: pulumi.Input[str],
        dbt_project_uri: pulumi.Input[str],
        dbt_env: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:aws:DbtJob", name, bp.tags, opts)
        entry = aws.s3.BucketObjectv2(
            "glue-dbt-entry",
            aws.s3.BucketObjectv2Args(
                bucket=store.id,
                key=artifacts.ENTRY_KEYS["glue_dbt"],
                source=artifacts.entry_script("glue_dbt"),
                tags=self.tags,
            ),
            opts=self.child(),
        )
        self.job = aws.glue.Job(
            "dbt-job",
            aws.glue.JobArgs(
                name=AwsNames.of(bp).glue_job(DBT_STEP),
                role_arn=glue_role_arn,
                glue_version=GLUE_VERSION,
                worker_type="G.1X",
                number_of_workers=2,  # the fewest a Glue Spark job takes
                timeout=30,
                max_retries=0,
                execution_class=bp.spark.glue_execution_class,
                command=aws.glue.JobCommandArgs(
                    name="glueetl",
                    python_version="3",
                    script_location=pulumi.Output.concat("s3://", entry.bucket, "/", entry.key),
                ),
                default_arguments={
                    "--job-language": "python",
                    "--stage": DBT_STEP,
                    "--dbt_project_uri": dbt_project_uri,
                    "--dbt_env": dbt_env,
                    "--additional-python-modules": ",".join(artifacts.dbt_pins(*DBT_PACKAGES)),
                    "--enable-metrics": "true",
                },
                tags=self.tags,
            ),
            opts=self.child(),
        )
        self.register_outputs({"job": self.job.name})
