"""AWS Glue 5.0 (Spark 3.5) entry point of the medallion jobs.

Glue runs this script with the package zip on `--extra-py-files`. Layer locations are
s3:// URIs; arguments arrive as `--name value` pairs (see lakelab_jobs/jobargs.py):

    --stage bronze|silver|gold|all  --mode incremental|full  [--run_id ID]
    --landing_uri s3://...  --bronze_uri s3://...  --silver_uri s3://...
    --gold_uri s3://...  --quarantine_uri s3://...  [--state_uri s3://...]

The run id defaults to Glue's JOB_RUN_ID. With `--catalog_prefix P` the job then registers
the tables it wrote in the Glue databases P_bronze, P_silver and P_gold (with the job's own
role), so Athena and dbt-athena see them as soon as the run ends. `awsglue` exists only on
Glue, so it is imported here and nowhere else.
"""

from __future__ import annotations

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from lakelab_jobs.jobargs import LAYER_OPTIONS, OPTIONAL, from_options
from lakelab_jobs.pipeline import run
from pyspark.context import SparkContext


def main(argv: list[str]) -> None:
    # getResolvedOptions fails on any name that is absent, so optional ones are asked for
    # only when given.
    present = [name for name in (*OPTIONAL, "JOB_RUN_ID") if f"--{name}" in argv]
    options = getResolvedOptions(argv, ["JOB_NAME", *LAYER_OPTIONS, *present])
    args = from_options(options, default_run_id=options.get("JOB_RUN_ID"))

    glue = GlueContext(SparkContext.getOrCreate())
    job = Job(glue)
    job.init(options["JOB_NAME"], options)
    for manifest in run(glue.spark_session, args.request()):
        print(manifest.to_json())
    if args.catalog_prefix:
        import boto3
        from lakelab_jobs.catalog import register_stages

        glue_client = boto3.client("glue")  # the job's region and role
        count = register_stages(
            glue.spark_session, glue_client, args.lake, args.stages, args.catalog_prefix
        )
        print(f"registered {count} table(s) in {args.catalog_prefix}_<layer>")
    job.commit()


if __name__ == "__main__":
    main(sys.argv)
