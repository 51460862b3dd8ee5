"""The shared dbt project on Azure: the variables of profiles.yml's `synapse_spark` target.

One function renders them, so the pipeline's dbt step (infra/azure/pipeline.py passes them as
`--dbt_env` to workloads/spark/entrypoints/synapse_dbt_job.py) and the tests use the same
profile. Silver is the catalog step's `<prefix>_silver` Spark database; the marts are Delta
tables in `<prefix>_dbt`, their files under `_dbt/` in the gold filesystem (a folder the
catalog step skips, so the stages' gold tables and dbt's never share a location).
"""

from __future__ import annotations

from typing import Final

from lakelab.clouds.azure.names import AzureNames
from lakelab.naming import DBT_FOLDER

TARGET: Final = "synapse_spark"


def synapse_spark_env(names: AzureNames, gold_uri: str) -> dict[str, str]:
    """profiles.yml's `synapse_spark` variables; `gold_uri` ends with '/'."""
    return {
        "LAKELAB_DBT_TARGET": TARGET,
        "LAKELAB_DBT_SCHEMA": names.dbt_database,
        "LAKELAB_SILVER_SCHEMA": names.sql_database("silver"),
        "LAKELAB_DBT_LOCATION_ROOT": f"{gold_uri}{DBT_FOLDER}",
    }
