"""Azure Synapse Spark job definition entry point of the medallion jobs.

Synapse runs this file with the package zip in `pyFiles`. Layer locations are abfss:// URIs;
arguments are the same as every entry point's (see lakelab_jobs/jobargs.py):

    --stage bronze|silver|gold|all  --mode incremental|full  [--run_id ID]
    --landing_uri abfss://landing@<account>.dfs.core.windows.net/  --bronze_uri ...
    --silver_uri ...  --gold_uri ...  --quarantine_uri ...  [--state_uri ...]

Data Factory passes them per activity, one activity per stage. The pipeline's catalog step
is the same job with `--stage catalog --catalog_prefix <cohort>_<learner>`: it runs no stage
but creates the Spark databases `<prefix>_bronze`, `_silver`, `_gold` and an external Parquet
table over each table folder, which Synapse shares with serverless SQL
(lakelab_jobs/spark_catalog.py).
"""

from __future__ import annotations

import sys

from lakelab_jobs.jobargs import generated_run_id, parse
from lakelab_jobs.pipeline import run
from pyspark.sql import SparkSession


def main(argv: list[str]) -> None:
    args = parse(argv, default_run_id=generated_run_id("synapse"))
    spark = SparkSession.builder.appName(f"lakelab-{'-'.join(args.stages)}").getOrCreate()
    for manifest in run(spark, args.request()):
        print(manifest.to_json())
    if args.register_catalog and args.catalog_prefix:
        from lakelab_jobs.spark_catalog import register_layers

        specs = register_layers(spark, args.lake, args.catalog_prefix)
        print(f"registered {len(specs)} table(s) in {args.catalog_prefix}_<layer>")


if __name__ == "__main__":
    main(sys.argv[1:])
