"""The `synapse_spark` target: the Synapse dbt step's entry point compiles the shared project
with dbt-spark's `session` method on local Spark.

Real dbt-core, dbt-spark and PySpark (with its Hive metastore) in a virtual environment of
their own (`.venv-dbt-spark`, from workloads/dbt/requirements-spark.txt, made by `make setup`;
or $LAKELAB_DBT_SPARK_PYTHON). Without it the tests fail, saying so: they never skip.

The first test compiles the whole project through the entry script; the second runs the
catalog step over a real medallion run and then builds the staging layer (views, data tests,
unit tests) on local Spark. The marts and the snapshot are Delta tables, and Delta is not
available to local Spark here: building them runs only on the Synapse pool.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "workloads" / "spark" / "entrypoints" / "synapse_dbt_job.py"
SKIP = {"target", "logs", "dbt_packages", "__pycache__"}
ENV = {
    "LAKELAB_DBT_TARGET": "synapse_spark",
    "LAKELAB_DBT_SCHEMA": "demo_alice_dbt",
    "LAKELAB_SILVER_SCHEMA": "demo_alice_silver",
    "LAKELAB_DBT_LOCATION_ROOT": "abfss://gold@acct.dfs.core.windows.net/_dbt",
}
pytestmark = pytest.mark.slow


def spark_python() -> Path:
    given = os.environ.get("LAKELAB_DBT_SPARK_PYTHON")
    python = Path(given) if given else ROOT / ".venv-dbt-spark" / "bin" / "python"
    if not python.exists():
        pytest.fail(f"no dbt-spark environment at {python}: run `make setup`")
    return python


def project_zip(dest: Path) -> Path:
    archive = dest / "lakelab_dbt.zip"
    base = ROOT / "workloads" / "dbt"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(base)
            if path.is_file() and not SKIP & set(rel.parts):
                zipped.write(path, rel.as_posix())
    return archive


def test_the_entry_point_compiles_the_project_against_the_spark_target(tmp_path: Path) -> None:
    python = spark_python()
    archive = project_zip(tmp_path)
    done = subprocess.run(
        [str(python), str(ENTRY), "--dbt_project_uri", archive.as_uri(),
         "--dbt_env", json.dumps(ENV), "--dbt_command", "compile"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("LAKELAB_")},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("dbt project unpacked in "))
    compiled = Path(line.split(" in ", 1)[1]) / "target" / "compiled" / "lakelab" / "models"
    staging = (compiled / "staging" / "stg_orders.sql").read_text()
    assert "from demo_alice_silver.orders" in staging
    marts = sorted(p.name for p in (compiled / "marts").glob("*.sql"))
    assert marts == [
        "customer_orders.sql", "daily_sales.sql", "dim_customers.sql", "dim_products.sql",
        "fct_orders.sql",
    ]  # fmt: skip
    manifest = json.loads((compiled.parents[2] / "manifest.json").read_text())
    fct = manifest["nodes"]["model.lakelab.fct_orders"]["config"]
    assert (fct["file_format"], fct["incremental_strategy"]) == ("delta", "merge")
    assert fct["location_root"] == ENV["LAKELAB_DBT_LOCATION_ROOT"]


def test_the_staging_layer_builds_over_the_catalog_step_s_tables(tmp_path: Path) -> None:
    python = spark_python()
    lake = tmp_path / "lake"
    spark_path = {**os.environ, "PYTHONPATH": str(ROOT / "workloads" / "spark")}
    for args in (["generate", "--orders", "400"], ["run", "--mode", "full"]):
        subprocess.run(
            [sys.executable, "-m", "lakelab_jobs", *args, "--root", str(lake)],
            env=spark_path, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    project = tmp_path / "dbt"
    shutil.copytree(ROOT / "workloads" / "dbt", project, ignore=shutil.ignore_patterns(*SKIP))
    done = subprocess.run(
        # -P: this folder is not put on sys.path, where dbt would take `dbt_harness.py` for
        # a dbt plugin (dbt imports every top-level `dbt_*` module it finds).
        [str(python), "-P", str(Path(__file__).with_name("synapse_spark_staging.py")),
         str(lake), str(project)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={k: v for k, v in spark_path.items() if not k.startswith("LAKELAB_")},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["tables"] == [
        "demo_alice_bronze.customers", "demo_alice_bronze.orders", "demo_alice_bronze.products",
        "demo_alice_gold.daily_sales", "demo_alice_silver.customers", "demo_alice_silver.orders",
        "demo_alice_silver.products",
    ]  # fmt: skip
    assert report["success"] is True
    statuses = report["nodes"]
    assert len(statuses) == 31 and set(statuses.values()) == {"success", "pass"}
    assert sum(k.startswith("unit_test.") for k in statuses) == 2
    assert report["stg_orders_rows"] == 400
