"""Azure Synapse entry point of the pipeline's dbt step: the shared dbt project, in Spark.

No dbt adapter builds this project on Synapse serverless SQL, so on the default (serverless)
stack dbt runs inside a Spark job on the learner's pool: dbt-spark's `session` method uses
this job's own SparkSession (profiles.yml's `synapse_spark` target). Data Factory starts it
once the catalog step has created the `<prefix>_silver` database the project reads. The pool
installs dbt from its library requirements (the pins of workloads/dbt/requirements.txt).
Arguments:

    --dbt_project_uri  abfss://artifacts@<account>.dfs.core.windows.net/dbt/lakelab_dbt.zip
    --dbt_env          JSON of the variables the `synapse_spark` target reads
                       (LAKELAB_DBT_SCHEMA, LAKELAB_SILVER_SCHEMA, LAKELAB_DBT_LOCATION_ROOT),
                       rendered from the stack by `lakelab.clouds.azure.dbt.synapse_spark_env`

The job fails when dbt fails (a model, a data test or a unit test), so the pipeline run fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

TARGET = "synapse_spark"


def download(spark: Any, uri: str, target: Path) -> None:
    """Copy one file from the lake to local disk with the job's own Hadoop file system (the
    pool's identity reaches abfss:// there; no storage SDK is needed)."""
    jvm = spark.sparkContext._jvm
    source = jvm.org.apache.hadoop.fs.Path(uri)
    fs = source.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    fs.copyToLocalFile(False, source, jvm.org.apache.hadoop.fs.Path(target.as_uri()), True)


def unpack(spark: Any, uri: str) -> Path:
    project = Path(tempfile.mkdtemp(prefix="lakelab-dbt-"))
    archive = project / "project.zip"
    download(spark, uri, archive)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(project)
    return project


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="synapse_dbt_job", allow_abbrev=False)
    parser.add_argument("--dbt_project_uri", required=True)
    parser.add_argument("--dbt_env", required=True)
    parser.add_argument("--dbt_command", default="build", choices=("build", "compile", "parse"))
    known, _ = parser.parse_known_args(argv)  # Synapse may add options of its own
    return known


def main(argv: list[str]) -> None:
    options = parse(argv)
    spark = SparkSession.builder.appName("lakelab-dbt").getOrCreate()
    project = unpack(spark, options.dbt_project_uri)
    os.environ.update(json.loads(options.dbt_env))
    print(f"dbt project unpacked in {project}")

    from dbt.cli.main import dbtRunner

    where = ["--project-dir", str(project), "--profiles-dir", str(project)]
    result = dbtRunner().invoke([options.dbt_command, "--target", TARGET, *where])
    if not result.success:
        raise SystemExit(f"dbt {options.dbt_command} failed: {result.exception or 'see the log'}")


if __name__ == "__main__":
    main(sys.argv[1:])
