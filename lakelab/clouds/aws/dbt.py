"""The shared dbt project on AWS: the variables of profiles.yml's `athena` target, from a
learner stack's outputs.

One function renders them, so the Glue dbt job (infra/aws/jobs.py passes them as `--dbt_env`)
and anyone running dbt against the learner's Athena (`run_dbt.py build --target athena` with
these exported) use the same profile; on the twin, `profile_athena_env` renders it from the
learner's profile. The marts are Iceberg tables in the Glue database `<prefix>_dbt`, their
files under `_dbt/` in the gold bucket, so they never replace the gold stage's tables of the
same name (`daily_sales`) nor touch its files; Athena's own results go under `dbt/` in the
query-results bucket.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lakelab.naming import DBT_DATABASE, DBT_FOLDER
from lakelab.profile import LearnerProfile

TARGET = "athena"


def athena_env(outputs: Mapping[str, Any], region: str) -> dict[str, str]:
    """profiles.yml's `athena` variables from the stack outputs (`lake`, `catalogs` with the
    layers' databases and dbt's, `query`)."""
    lake, catalogs = outputs["lake"], outputs["catalogs"]
    return {
        "LAKELAB_DBT_TARGET": TARGET,
        "AWS_REGION": region,
        "LAKELAB_DBT_SCHEMA": str(catalogs[DBT_DATABASE]),
        "LAKELAB_SILVER_SCHEMA": str(catalogs["silver"]),
        "LAKELAB_ATHENA_WORKGROUP": str(outputs["query"]["workgroup"]),
        "LAKELAB_ATHENA_RESULTS_URI": f"{lake['query-results']['uri']}dbt/",
        "LAKELAB_DBT_LOCATION_ROOT": f"{lake['gold']['uri']}{DBT_FOLDER}",
    }


def profile_athena_env(profile: LearnerProfile) -> dict[str, str]:
    """The same variables from a learner's profile (on the twin, its stack record), so dbt-athena
    runs against the twin with the profile the Glue dbt job gets; only the endpoint and keys
    (the SDK's variables, `CloudTarget.sdk_env`) differ."""
    outputs = {
        "lake": {
            purpose: {"uri": f"s3://{bucket}/"} for purpose, bucket in profile.locations.items()
        },
        "catalogs": dict(profile.databases),
        "query": {"workgroup": profile.workgroup or ""},
    }
    return athena_env(outputs, profile.region)
