"""Run inside the dbt-spark environment: the Synapse catalog step over a lake that the
medallion already built, then `dbt build --select staging --target synapse_spark` in the same
SparkSession (what the dbt step does on the pool, minus the Delta marts).

    python synapse_spark_staging.py <lake root> <dbt project dir>

Prints one JSON line: the tables registered, dbt's success and each node's status.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession


def main(root: Path, project: str) -> None:
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(root.parent / "warehouse"))
        .enableHiveSupport()
        .getOrCreate()
    )
    from lakelab_jobs.layout import Lake
    from lakelab_jobs.spark_catalog import register_layers

    specs = register_layers(spark, Lake.under(root), "demo_alice")
    os.environ.update(
        LAKELAB_DBT_SCHEMA="demo_alice_dbt",
        LAKELAB_SILVER_SCHEMA="demo_alice_silver",
        LAKELAB_DBT_LOCATION_ROOT=str(root / "gold" / "_dbt"),
    )
    from dbt.cli.main import dbtRunner

    where = ["--project-dir", project, "--profiles-dir", project]
    result = dbtRunner().invoke(
        ["build", "--select", "staging", "--target", "synapse_spark", *where]
    )
    rows = spark.sql("select count(*) from demo_alice_dbt.stg_orders").collect()[0][0]
    print(json.dumps({
        "tables": sorted(f"{s.database}.{s.name}" for s in specs),
        "success": result.success,
        "nodes": {r.node.unique_id: str(r.status) for r in (result.result or [])},
        "stg_orders_rows": rows,
    }))  # fmt: skip


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
