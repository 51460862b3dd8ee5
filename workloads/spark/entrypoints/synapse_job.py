"""Azure Synapse Spark job definition entry point of the medallion jobs.

Synapse runs this file with the package zip in `pyFiles`. Layer locations are abfss:// URIs;
arguments are the same as every entry point's (see lakelab_jobs/jobargs.py):

    --stage bronze|silver|gold|all  --mode incremental|full  [--run_id ID]
    --landing_uri abfss://landing@<account>.dfs.core.windows.net/  --bronze_uri ...
    --silver_uri ...  --gold_uri ...  --quarantine_uri ...  [--state_uri ...]

Data Factory passes them per activity, one activity per stage.
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


if __name__ == "__main__":
    main(sys.argv[1:])
