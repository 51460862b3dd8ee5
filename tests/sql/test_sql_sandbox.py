"""`lakelab sql` reaches only what the learner's own credentials reach, and speaks the cloud's
dialect. Real moto and Azurite, real DuckDB with its own sandbox settings, real sqlglot.

Every escape a learner could try is asserted with the exact refusal: a local file
(`/etc/passwd`), the state folder's `state.json` (every learner's keys), another learner's
local mirror and bucket, `COPY ... TO`, `ATTACH`, `INSTALL`/`LOAD` and `SET`.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sql_harness import SqlTwin

from lakelab.errors import UserError
from lakelab.lakefs import ByteCounter
from lakelab.sql import QueryFailed, QueryRefused, query, sandboxed

DISABLED = "file system operations are disabled by configuration"


def denied(path: str) -> str:
    return f'query failed: Permission Error: Cannot access file "{path}" - {DISABLED}'


def refused(kind: str, dialect: str) -> str:
    return (
        f"refused: {kind} statements do not run here; only queries (SELECT) over your own lake"
        f" do, as with your {dialect} access on the cloud"
    )


def failure(sql_twin: SqlTwin, stack: str, sql: str) -> UserError:
    with sql_twin.env.active(), pytest.raises(UserError) as info:
        query(sql_twin.profile(stack), sql)
    return info.value


@pytest.mark.parametrize("stack", ["demo-alice-aws", "demo-alice-azure"])
def test_own_tables_answer(sql_twin: SqlTwin, stack: str) -> None:
    with sql_twin.env.active():
        result = query(
            sql_twin.profile(stack), "select count(*) as n, sum(revenue) from daily_sales"
        )
    assert result.columns[0] == "n"
    assert result.rows == [(6, 34.75)]
    assert result.bytes_scanned > 0 and result.files_read == 1


def test_unqualified_names_are_gold_before_the_dbt_marts(sql_twin: SqlTwin) -> None:
    """dbt's marts share gold's table names (`daily_sales`) in a database of their own: an
    unqualified name is gold's, the mart is reached by its database."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from lakelab.catalog import TableSpec
    from lakelab.clouds import cloud_for
    from lakelab.clouds.aws.catalog import glue_client
    from lakelab.lake import lake_for

    buf = io.BytesIO()
    pq.write_table(pa.table({"order_date": ["2025-01-01"], "revenue": [1.5]}), buf)
    with sql_twin.env.active():
        lake = lake_for("demo-alice-aws")
        profile = lake.profile
        key = "_dbt/demo_alice_dbt/daily_sales/0001/data/part-0.parquet"
        lake.put("gold", key, buf.getvalue())
        mart = TableSpec(
            database="demo_alice_dbt",
            name="daily_sales",
            location=lake.uri("gold", "_dbt/demo_alice_dbt/daily_sales/0001/"),
            columns=[("order_date", "string"), ("revenue", "double")],
        )
        cloud_for("aws").register_tables(profile, [mart])
        try:
            assert profile.search_path() == [
                "demo_alice_gold", "demo_alice_silver", "demo_alice_bronze", "demo_alice_dbt",
            ]  # fmt: skip
            gold = query(profile, "select count(*), sum(revenue) from daily_sales").rows
            dbt = query(profile, "select count(*) from demo_alice_dbt.daily_sales").rows
        finally:
            glue_client(profile).delete_table(DatabaseName="demo_alice_dbt", Name="daily_sales")
            lake.delete("gold", [key])
    assert (gold, dbt) == ([(6, 34.75)], [(1,)])


@pytest.mark.parametrize("stack", ["demo-alice-aws", "demo-alice-azure"])
def test_local_files_are_out_of_reach(sql_twin: SqlTwin, stack: str) -> None:
    state_json = str(sql_twin.env.state / "state.json")
    mirror = str(sql_twin.mirror_file("demo-bob-aws"))
    assert os.path.exists(state_json) and os.path.exists(mirror)
    cases = {
        "select * from read_text('/etc/passwd')": "/etc/passwd",
        "select * from read_text('file:///etc/passwd')": "file:///etc/passwd",
        f"select * from read_text('{state_json}')": state_json,
        f"select * from read_json_auto('{state_json}')": state_json,
        f"select * from read_parquet('{mirror}')": mirror,
        "select * from read_csv('/etc/hostname')": "/etc/hostname",
    }
    for sql, path in cases.items():
        err = failure(sql_twin, stack, sql)
        assert isinstance(err, QueryFailed)
        assert str(err) == denied(path), sql


def test_another_learners_bucket_and_catalog_are_out_of_reach(sql_twin: SqlTwin) -> None:
    bob = sql_twin.profile("demo-bob-aws")
    bucket = f"s3://{bob.location('gold')}/daily_sales/part-0.parquet"
    assert str(failure(sql_twin, "demo-alice-aws", f"select * from '{bucket}'")) == denied(bucket)
    err = failure(sql_twin, "demo-alice-aws", "select * from demo_bob_gold.daily_sales")
    assert str(err) == (
        'query failed: Catalog Error: Table with name "demo_bob_gold.daily_sales" does not exist'
        ' because schema "demo_bob_gold" does not exist.'
    )
    # On Azure every learner's gold container is `gold`, in their own storage account.
    bob_azure = sql_twin.profile("demo-bob-azure")
    account = f"{bob_azure.key_id}.dfs.core.windows.net"
    container = f"abfs://{bob_azure.location('gold')}@{account}/daily_sales/*"
    sql = f"select * from read_parquet('{container}')"
    assert str(failure(sql_twin, "demo-alice-azure", sql)) == denied(container)


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("COPY (SELECT * FROM daily_sales) TO '/tmp/escape.csv'", "COPY"),
        ("ATTACH '/tmp/escape.duckdb' AS x", "ATTACH"),
        ("INSTALL httpfs", "INSTALL"),
        ("LOAD httpfs", "LOAD"),
        ("SET enable_external_access = true", "SET"),
        ("CREATE TABLE t AS SELECT 1 AS a", "CREATE"),
    ],
)
def test_statements_that_are_not_queries_are_refused(
    sql_twin: SqlTwin, sql: str, kind: str
) -> None:
    err = failure(sql_twin, "demo-alice-aws", sql)
    assert isinstance(err, QueryRefused)
    assert str(err) == refused(kind, "athena")
    assert not os.path.exists("/tmp/escape.csv") and not os.path.exists("/tmp/escape.duckdb")


def test_refused_in_t_sql_too(sql_twin: SqlTwin) -> None:
    err = failure(sql_twin, "demo-alice-azure", "SELECT 1; ATTACH '/tmp/escape.duckdb'")
    assert str(err) == "query failed: one statement per query, as on the cloud"
    err = failure(sql_twin, "demo-alice-azure", "ATTACH '/tmp/escape.duckdb' AS x")
    assert str(err) == refused("ATTACH", "tsql")


def test_the_sandbox_holds_on_its_own(sql_twin: SqlTwin, tmp_path: object) -> None:
    """Below the statement check, DuckDB's own settings refuse the same escapes."""
    import duckdb

    with sql_twin.env.active():
        con = sandboxed(sql_twin.profile("demo-alice-aws"), ByteCounter())
    try:
        cases = {
            "COPY (SELECT 1) TO '/tmp/escape.csv'": (
                f'Permission Error: Cannot access file "/tmp/escape.csv" - {DISABLED}'
            ),
            "ATTACH '/tmp/escape.duckdb'": (
                f'Permission Error: Cannot access file "/tmp/escape.duckdb" - {DISABLED}'
            ),
            "LOAD httpfs": "Permission Error: Loading external extensions is disabled through"
            " configuration",
            "SET enable_external_access = true": "Invalid Input Error: Cannot change configuration"
            ' option "enable_external_access" - the configuration has been locked',
            "SET allowed_directories = ['/']": "Invalid Input Error: Cannot change configuration"
            ' option "allowed_directories" - the configuration has been locked',
        }
        for sql, message in cases.items():
            with pytest.raises(duckdb.Error) as info:
                con.execute(sql)
            assert str(info.value).splitlines()[0] == message, sql
        assert con.execute("SELECT count(*) FROM daily_sales").fetchall() == [(6,)]
    finally:
        con.close()
    assert not os.path.exists("/tmp/escape.csv") and not os.path.exists("/tmp/escape.duckdb")


def test_athena_dialect_on_aws(sql_twin: SqlTwin) -> None:
    sql = (
        "SELECT date_format(date_parse(order_date, '%Y-%m-%d'), '%d/%m') AS d,"
        " approx_distinct(region) AS regions, CAST(sum(revenue) AS varchar) AS r"
        " FROM daily_sales GROUP BY 1 ORDER BY 1"
    )
    with sql_twin.env.active():
        result = query(sql_twin.profile("demo-alice-aws"), sql)
    assert result.columns == ["d", "regions", "r"]
    assert result.rows == [("01/01", 2, "14.5"), ("02/01", 2, "8.25"), ("03/01", 2, "12.0")]
    # T-SQL is not Athena's dialect: the cloud would refuse it, so the twin does.
    err = failure(sql_twin, "demo-alice-aws", "SELECT TOP 2 region FROM daily_sales")
    assert str(err).startswith("query failed: athena syntax error: ")


def test_t_sql_on_azure(sql_twin: SqlTwin) -> None:
    sql = (
        "SELECT TOP 2 [region], SUM([revenue]) AS [total] FROM [demo_alice_gold].[daily_sales]"
        " GROUP BY [region] ORDER BY [total] DESC"
    )
    with sql_twin.env.active():
        result = query(sql_twin.profile("demo-alice-azure"), sql)
    assert result.columns == ["region", "total"]
    assert result.rows == [("north", 17.75), ("south", 13.0)]


def test_cli_prints_one_refusal_line(sql_twin: SqlTwin) -> None:
    code = "from lakelab.cli import main; main()"
    with sql_twin.env.active():
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                code,
                "sql",
                "--stack",
                "demo-alice-aws",
                "select * from read_text('/etc/passwd')",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=dict(os.environ),
        )
    assert done.returncode == 2
    assert done.stderr == f"error: {denied('/etc/passwd')}\n"
    assert done.stdout == ""
