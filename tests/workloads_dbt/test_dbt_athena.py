"""The dbt step on AWS: the shared project under the real dbt-athena adapter, with the profile
rendered from the stack's outputs.

AWS itself cannot run here, so this stops where a connection would start: `dbt parse` and
`dbt ls` load the project with the athena adapter (its macros, its model configs such as
Iceberg marts) and the profile the Glue dbt job gets. The plan comes from the real program
under Pulumi's mock runtime. `tests/workloads_twin/test_dbt_athena_twin.py` builds the project
with the same profile against the twin's Athena.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from dbt_harness import DBT_DIR, find_dbt

from infra.artifacts import dbt_pins
from lakelab.clouds.aws.dbt import athena_env
from lakelab.plan import plan_stack

STACK = "demo-alice-aws"


@pytest.fixture(scope="module")
def job_env() -> dict[str, str]:
    plan = plan_stack(STACK)
    job = plan.named("aws:glue/job:Job", "dbt-job").inputs
    env: dict[str, str] = json.loads(job["defaultArguments"]["--dbt_env"])
    return env


def test_the_job_profile_is_the_one_rendered_from_the_stack_outputs(
    job_env: dict[str, str],
) -> None:
    plan = plan_stack(STACK)
    assert job_env == athena_env(plan.outputs, "us-east-1")
    assert job_env == {
        "LAKELAB_DBT_TARGET": "athena",
        "AWS_REGION": "us-east-1",
        # The marts' own database and folder: never the gold stage's (`daily_sales` in both).
        "LAKELAB_DBT_SCHEMA": "demo_alice_dbt",
        "LAKELAB_SILVER_SCHEMA": "demo_alice_silver",
        "LAKELAB_ATHENA_WORKGROUP": "demo_alice_wg",
        "LAKELAB_ATHENA_RESULTS_URI": "s3://ll-demo-alice-query-results-f9ebc2/dbt/",
        "LAKELAB_DBT_LOCATION_ROOT": "s3://ll-demo-alice-gold-f9ebc2/_dbt",
    }


def test_the_job_installs_the_pins_the_twin_uses() -> None:
    job = plan_stack(STACK).named("aws:glue/job:Job", "dbt-job").inputs
    modules = job["defaultArguments"]["--additional-python-modules"].split(",")
    assert (
        modules == dbt_pins("dbt-core", "dbt-athena") == ["dbt-core==1.11.16", "dbt-athena==1.11.1"]
    )


def test_the_project_loads_under_dbt_athena(tmp_path: Path, job_env: dict[str, str]) -> None:
    dbt = find_dbt()
    assert dbt is not None, "dbt is not installed (make setup installs .venv-dbt)"
    project = tmp_path / "dbt"
    shutil.copytree(DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    env = {**os.environ, **job_env, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    where = ["--project-dir", str(project), "--profiles-dir", str(project), "--target", "athena"]
    parsed = subprocess.run(
        [dbt, "parse", *where], capture_output=True, text=True, env=env, timeout=300
    )
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    assert "Registered adapter: athena=1.11.1" in parsed.stdout
    listed = subprocess.run(
        [dbt, "ls", *where, "--resource-type", "model", "--output", "json",
         "--output-keys", "name", "config"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stdout + listed.stderr
    models = {
        doc["name"]: doc["config"]
        for doc in (json.loads(line) for line in listed.stdout.splitlines() if line.startswith("{"))
    }
    assert sorted(models) == [
        "customer_orders", "daily_sales", "dim_customers", "dim_products", "fct_orders",
        "stg_customers", "stg_orders", "stg_products",
    ]  # fmt: skip
    assert models["daily_sales"]["materialized"] == "table"
    assert models["daily_sales"]["table_type"] == "iceberg"  # Athena can MERGE into Iceberg
    assert models["stg_orders"]["materialized"] == "view"
