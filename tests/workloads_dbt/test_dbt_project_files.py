"""Static checks of the dbt project: profiles for every target, project layout, and the
run_dbt.py helper. No dbt invocation, so these run in well under a second."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from dbt_harness import DBT_DIR, RUN_DBT

PROFILES = yaml.safe_load((DBT_DIR / "profiles.yml").read_text())
OUTPUTS: dict[str, dict[str, Any]] = PROFILES["lakelab"]["outputs"]

# Profile keys each adapter accepts (its credentials dataclass and aliases, plus dbt's
# own `type` and `threads`), from dbt-duckdb 1.11, dbt-athena 1.11, dbt-redshift 1.11,
# dbt-fabric 1.9 and dbt-synapse 1.8 (SQL Server credentials, which add `port`).
COMMON = {"type", "threads", "database", "schema"}
TSQL = COMMON | {
    "driver",
    "host",
    "server",
    "UID",
    "user",
    "username",
    "PWD",
    "password",
    "pass",
    "windows_login",
    "trusted_connection",
    "tenant_id",
    "client_id",
    "client_secret",
    "access_token",
    "authentication",
    "auth",
    "encrypt",
    "trust_cert",
    "TrustServerCertificate",
    "retries",
    "schema_authorization",
    "login_timeout",
    "query_timeout",
    "trace_flag",
}
ALLOWED_KEYS = {
    "duckdb": COMMON
    | {
        "path",
        "config_options",
        "extensions",
        "settings",
        "secrets",
        "external_root",
        "use_credential_provider",
        "attach",
        "filesystems",
        "remote",
        "plugins",
        "disable_transactions",
        "keep_open",
        "module_paths",
        "retries",
    },
    "athena": COMMON
    | {
        "s3_staging_dir",
        "region_name",
        "endpoint_url",
        "work_group",
        "skip_workgroup_check",
        "aws_profile_name",
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "poll_interval",
        "debug_query_state",
        "catalog",
        "num_retries",
        "num_boto3_retries",
        "num_iceberg_retries",
        "s3_data_dir",
        "s3_data_naming",
        "spark_work_group",
        "s3_tmp_table_dir",
        "seed_s3_upload_args",
        "lf_tags_database",
    },
    "redshift": COMMON
    | {
        "host",
        "port",
        "dbname",
        "method",
        "user",
        "password",
        "pass",
        "cluster_id",
        "iam_profile",
        "autocreate",
        "db_groups",
        "ra3_node",
        "connect_timeout",
        "role",
        "sslmode",
        "retries",
        "region",
        "autocommit",
        "access_key_id",
        "secret_access_key",
        "is_serverless",
    },
    "synapse": TSQL | {"port"},
    "fabric": TSQL,
    # dbt-spark's SparkCredentials
    "spark": {
        "type",
        "method",
        "host",
        "schema",
        "threads",
        "port",
        "cluster",
        "user",
        "token",
        "connect_retries",
        "connect_timeout",
        "server_side_parameters",
        "poll_interval",
        "query_timeout",
        "query_retries",
        "retry_all",
        "auth",
        "use_ssl",
    },
}
REQUIRED_KEYS = {
    "duckdb": {"path", "schema"},
    "athena": {"s3_staging_dir", "region_name", "database", "schema"},
    "redshift": {"host", "port", "dbname", "schema", "method"},
    "synapse": {"driver", "server", "database", "schema", "authentication"},
    "fabric": {"driver", "server", "database", "schema", "authentication"},
    "spark": {"method", "host", "schema"},
}
# Values that locate or unlock a warehouse: they must come from the environment.
FROM_ENV = {
    "path",
    "s3_staging_dir",
    "s3_data_dir",
    "work_group",
    "host",
    "server",
    "cluster_id",
    "user",
    "password",
    "client_id",
    "client_secret",
    "tenant_id",
    "aws_profile_name",
    "iam_profile",
    "region",
    "region_name",
}


def test_profile_has_every_target() -> None:
    assert PROFILES["lakelab"]["target"] == "{{ env_var('LAKELAB_DBT_TARGET', 'local') }}"
    assert {name: out["type"] for name, out in OUTPUTS.items()} == {
        "local": "duckdb",
        "athena": "athena",
        "redshift": "redshift",
        "redshift_cluster": "redshift",
        "synapse_spark": "spark",
        "synapse": "synapse",
        "fabric": "fabric",
    }


@pytest.mark.parametrize("target", sorted(OUTPUTS))
def test_profile_keys_are_the_adapters_own(target: str) -> None:
    output = OUTPUTS[target]
    kind = output["type"]
    assert set(output) <= ALLOWED_KEYS[kind], set(output) - ALLOWED_KEYS[kind]
    assert REQUIRED_KEYS[kind] <= set(output)


@pytest.mark.parametrize("target", sorted(OUTPUTS))
def test_profile_endpoints_and_secrets_come_from_env(target: str) -> None:
    output = OUTPUTS[target]
    for key, value in output.items():
        if (output.get("method"), key) == ("session", "host"):
            # dbt-spark's session method runs in the job's own SparkSession: no endpoint;
            # dbt requires the key and ignores its value.
            assert value == "NA"
        elif key in FROM_ENV:
            assert isinstance(value, str) and "env_var(" in value, (target, key, value)
    text = (DBT_DIR / "profiles.yml").read_text()
    assert not re.search(r"(?i)(password|secret|token)\s*:\s*['\"]?[A-Za-z0-9/+]{8,}", text)


def test_redshift_and_synapse_authentication_modes() -> None:
    assert OUTPUTS["redshift"]["method"] == "iam_role"  # serverless: GetCredentials
    assert OUTPUTS["redshift_cluster"]["method"] == "iam"  # cluster: GetClusterCredentials
    assert OUTPUTS["redshift_cluster"]["cluster_id"].startswith("{{ env_var(")
    assert (
        OUTPUTS["synapse"]["driver"]
        == OUTPUTS["fabric"]["driver"]
        == ("ODBC Driver 18 for SQL Server")
    )


def _models() -> dict[str, Path]:
    return {p.stem: p for p in (DBT_DIR / "models").rglob("*.sql")}


def test_every_model_has_its_own_yml_and_ends_with_final() -> None:
    models = _models()
    assert set(models) == {
        "stg_orders",
        "stg_customers",
        "stg_products",
        "fct_orders",
        "daily_sales",
        "dim_customers",
        "dim_products",
        "customer_orders",
    }
    for name, path in models.items():
        spec = yaml.safe_load(path.with_suffix(".yml").read_text())
        assert [m["name"] for m in spec["models"]] == [name]
        assert path.read_text().rstrip().endswith("select * from final"), name


def test_unit_tests_cover_fact_mart_and_staging() -> None:
    tested: set[str] = set()
    for path in (DBT_DIR / "models").rglob("*.yml"):
        spec = yaml.safe_load(path.read_text()) or {}
        tested |= {t["model"] for t in spec.get("unit_tests", [])}
    assert {"fct_orders", "daily_sales", "stg_orders"} <= tested


def test_snapshot_uses_yaml_config_and_timestamp_strategy() -> None:
    spec = yaml.safe_load((DBT_DIR / "snapshots" / "customers_snapshot.yml").read_text())
    (snapshot,) = spec["snapshots"]
    assert snapshot["relation"] == "ref('stg_customers')"
    assert snapshot["config"] == {
        "unique_key": "customer_id",
        "strategy": "timestamp",
        "updated_at": "updated_at",
    }


# --- run_dbt.py ---------------------------------------------------------------------------------

RUN_DBT_NS = runpy.run_path(str(RUN_DBT))


def test_run_dbt_builds_the_local_command(tmp_path: Path) -> None:
    argv, env = RUN_DBT_NS["dbt_command"](
        "build",
        silver_uri=str(tmp_path / "silver") + "/",
        duckdb_path=str(tmp_path / "gold.duckdb"),
        dbt="/opt/dbt/bin/dbt",
        extra_args=["--select", "marts"],
        environ={"PATH": "/bin"},
    )
    assert argv == [
        "/opt/dbt/bin/dbt",
        "build",
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target",
        "local",
        "--select",
        "marts",
    ]
    assert env["LAKELAB_SILVER_URI"] == str(tmp_path / "silver")
    assert env["LAKELAB_DUCKDB_PATH"] == str(tmp_path / "gold.duckdb")
    assert env["LAKELAB_DBT_TARGET"] == "local"
    assert env["PATH"] == "/bin"


def test_run_dbt_resolves_relative_paths_and_reads_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv, env = RUN_DBT_NS["dbt_command"](
        "docs",
        dbt="dbt",
        environ={"LAKELAB_SILVER_URI": "lake/silver", "LAKELAB_DUCKDB_PATH": "wh/x.duckdb"},
    )
    assert argv[1:3] == ["docs", "generate"]
    assert env["LAKELAB_SILVER_URI"] == str(tmp_path / "lake" / "silver")
    assert env["LAKELAB_DUCKDB_PATH"] == str(tmp_path / "wh" / "x.duckdb")


def test_run_dbt_cloud_target_leaves_duckdb_alone() -> None:
    argv, env = RUN_DBT_NS["dbt_command"](
        "build", target="athena", dbt="dbt", environ={"LAKELAB_DBT_TARGET": "local"}
    )
    assert argv[-2:] == ["--target", "athena"]
    assert env["LAKELAB_DBT_TARGET"] == "athena"
    assert "LAKELAB_DUCKDB_PATH" not in env


def test_run_dbt_keeps_remote_silver_uris() -> None:
    _, env = RUN_DBT_NS["dbt_command"](
        "build", silver_uri="s3://ll-c1-alice-silver-abc123", dbt="dbt", environ={}
    )
    assert env["LAKELAB_SILVER_URI"] == "s3://ll-c1-alice-silver-abc123"


def test_run_dbt_is_standard_library_only() -> None:
    imports = re.findall(r"^\s*(?:from|import)\s+([\w.]+)", RUN_DBT.read_text(), re.M)
    roots = {name.split(".")[0] for name in imports}
    assert roots <= set(sys.stdlib_module_names), roots - set(sys.stdlib_module_names)
