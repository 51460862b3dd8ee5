"""The twin's Athena runs DDL and DML as Athena documents them: real moto server, real DuckDB
engine, every statement sent through boto3 with the learner's own keys. Nothing is faked.

Each test names its own tables, so one twin serves the module."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pyarrow.parquet as pq
import pytest
from athena_harness import put_sales, run_query
from twin_harness import TwinEnv, make_env, purge

from localcloud import twin

ALICE, BOB = "demo-alice-aws", "demo-bob-aws"
GOLD = "s3://ll-demo-alice-gold-f9ebc2/"


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwinEnv]:
    env = make_env(tmp_path_factory.mktemp("athena-ddl"), (ALICE, BOB))
    try:
        with env.active():
            twin.up([ALICE, BOB], spark=False)
            rows = [("north", "1.50"), ("south", "2.00"), ("north", "2.50")]
            put_sales(twin.profile_of(ALICE), "silver", "sales", rows)
        yield env
    finally:
        purge(env)


@pytest.fixture
def alice(lakes: TwinEnv) -> Iterator[Any]:
    with lakes.active():
        yield lakes.learner(ALICE)


def run(target: Any, sql: str, workgroup: str = "demo_alice_wg") -> dict[str, Any]:
    return run_query(target.client("athena"), sql, workgroup)


def ok(target: Any, sql: str, workgroup: str = "demo_alice_wg") -> dict[str, Any]:
    execution = run(target, sql, workgroup)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    return execution


def rows(target: Any, sql: str) -> list[list[str | None]]:
    query_id = ok(target, sql)["QueryExecutionId"]
    page = target.client("athena").get_query_results(QueryExecutionId=query_id)
    return [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]][1:]


def glue_table(target: Any, database: str, name: str) -> dict[str, Any] | None:
    glue = target.client("glue")
    try:
        return dict(glue.get_table(DatabaseName=database, Name=name)["Table"])
    except glue.exceptions.EntityNotFoundException:
        return None


def keys(target: Any, uri: str) -> list[str]:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    listed = target.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def parquet(target: Any, bucket: str, key: str) -> list[dict[str, Any]]:
    body = target.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return list(pq.read_table(io.BytesIO(body)).to_pylist())


CTAS = (
    "create table demo_alice_gold.{name} with (format='parquet', external_location='{where}')"
    " as select region, sum(revenue) as revenue, count(*) as n"
    " from demo_alice_silver.sales group by region"
)


def test_ctas_writes_parquet_and_registers_the_table(alice: Any) -> None:
    where = f"{GOLD}ctas_hive/"
    execution = ok(alice, CTAS.format(name="ctas_hive", where=where))
    query_id = execution["QueryExecutionId"]
    assert execution["SubstatementType"] == "CREATE_TABLE_AS_SELECT"
    results = alice.client("athena").get_query_results(QueryExecutionId=query_id)
    assert results["UpdateCount"] == 2 and results["ResultSet"]["Rows"] == []
    assert keys(alice, where) == [f"ctas_hive/{query_id}-00000.parquet"]
    written = parquet(alice, "ll-demo-alice-gold-f9ebc2", f"ctas_hive/{query_id}-00000.parquet")
    assert sorted(written, key=lambda r: r["region"]) == [
        {"region": "north", "revenue": Decimal("4.00"), "n": 2},
        {"region": "south", "revenue": Decimal("2.00"), "n": 1},
    ]
    table = glue_table(alice, "demo_alice_gold", "ctas_hive")
    assert table is not None
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"] == {"classification": "parquet", "EXTERNAL": "TRUE"}
    descriptor = table["StorageDescriptor"]
    assert descriptor["Location"] == where
    assert [(c["Name"], c["Type"]) for c in descriptor["Columns"]] == [
        ("region", "string"), ("revenue", "decimal(38,2)"), ("n", "bigint"),
    ]  # fmt: skip
    assert descriptor["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert rows(alice, "select region, n from demo_alice_gold.ctas_hive order by region") == [
        ["north", "2"], ["south", "1"],
    ]  # fmt: skip


def test_iceberg_ctas_writes_under_data_and_says_iceberg(alice: Any) -> None:
    where = f"{GOLD}demo_alice_gold/ice/abc"
    sql = (
        'create table "awsdatacatalog"."demo_alice_gold"."ice" with (table_type=\'iceberg\','
        f" is_external=false, location='{where}', format='parquet')"
        " as select region, cast(revenue as decimal(12,2)) as revenue from demo_alice_silver.sales"
    )
    query_id = ok(alice, sql)["QueryExecutionId"]
    assert keys(alice, where) == [f"demo_alice_gold/ice/abc/data/{query_id}-00000.parquet"]
    table = glue_table(alice, "demo_alice_gold", "ice")
    assert table is not None
    assert table["Parameters"] == {"table_type": "ICEBERG"}
    assert table["StorageDescriptor"]["Location"] == where
    assert rows(alice, "select count(*) from demo_alice_gold.ice") == [["3"]]


def test_ctas_without_a_location_writes_under_the_result_location(alice: Any) -> None:
    sql = "create table demo_alice_gold.nowhere as select 1 as one"
    query_id = ok(alice, sql)["QueryExecutionId"]
    where = f"s3://ll-demo-alice-query-results-f9ebc2/tables/{query_id}/"
    table = glue_table(alice, "demo_alice_gold", "nowhere")
    assert table is not None and table["StorageDescriptor"]["Location"] == where
    assert keys(alice, where) == [f"tables/{query_id}/{query_id}-00000.parquet"]


def test_ctas_refuses_a_location_that_holds_data_and_writes_nothing(alice: Any) -> None:
    where = f"{GOLD}taken/"
    alice.client("s3").put_object(Bucket="ll-demo-alice-gold-f9ebc2", Key="taken/x", Body=b"x")
    failed = run(alice, CTAS.format(name="taken", where=where))
    assert failed["Status"]["State"] == "FAILED"
    assert failed["Status"]["StateChangeReason"] == (
        "HIVE_PATH_ALREADY_EXISTS: Target directory for table 'demo_alice_gold.taken'"
        f" already exists: {where}"
    )
    assert glue_table(alice, "demo_alice_gold", "taken") is None
    assert keys(alice, where) == ["taken/x"]
    again = run(alice, "create table demo_alice_gold.ctas_hive as select 1 as x")
    assert again["Status"]["StateChangeReason"] == "Table demo_alice_gold.ctas_hive already exists"


def test_a_view_is_a_presto_view_in_glue_and_answers_queries(alice: Any) -> None:
    body = 'select region, revenue * 2 as doubled from "awsdatacatalog"."demo_alice_silver"."sales"'
    ok(alice, f'create or replace view "awsdatacatalog"."demo_alice_gold"."doubled" as\n  {body}')
    table = glue_table(alice, "demo_alice_gold", "doubled")
    assert table is not None
    assert table["TableType"] == "VIRTUAL_VIEW"
    assert table["Parameters"] == {"presto_view": "true", "comment": "Presto View"}
    assert table["ViewExpandedText"] == "/* Presto View */"
    text = table["ViewOriginalText"]
    assert text.startswith("/* Presto View: ") and text.endswith(" */")
    document = json.loads(base64.b64decode(text.removeprefix("/* Presto View: ")[:-3]))
    assert document == {
        "originalSql": body,
        "catalog": "awsdatacatalog",
        "schema": "demo_alice_gold",
        "columns": [
            {"name": "region", "type": "varchar"},
            {"name": "doubled", "type": "decimal(18,2)"},
        ],
    }
    columns = [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]]
    assert columns == [("region", "string"), ("doubled", "decimal(18,2)")]
    assert rows(alice, "select sum(doubled) from demo_alice_gold.doubled") == [["12.00"]]
    # A view over a view, replaced in place.
    ok(alice, "create view demo_alice_gold.north as select * from demo_alice_gold.doubled"
              " where region = 'north'")  # fmt: skip
    ok(alice, f"create or replace view demo_alice_gold.doubled as {body.replace('2', '10')}")
    assert rows(alice, "select sum(doubled) from demo_alice_gold.north") == [["40.00"]]


def test_drop_removes_the_entry_and_an_iceberg_tables_data(alice: Any) -> None:
    ok(alice, CTAS.format(name="drop_hive", where=f"{GOLD}drop_hive/"))
    ok(alice, f"create table demo_alice_gold.drop_ice with (table_type='iceberg',"
              f" location='{GOLD}drop_ice/') as select 1 as one")  # fmt: skip
    ok(alice, "create view demo_alice_gold.drop_view as select 1 as one")
    ok(alice, "drop table if exists `demo_alice_gold`.`drop_hive`")
    ok(alice, "drop table demo_alice_gold.drop_ice")
    ok(alice, 'drop view if exists "awsdatacatalog"."demo_alice_gold"."drop_view"')
    for name in ("drop_hive", "drop_ice", "drop_view"):
        assert glue_table(alice, "demo_alice_gold", name) is None
    assert len(keys(alice, f"{GOLD}drop_hive/")) == 1  # a Hive table's data is kept
    assert keys(alice, f"{GOLD}drop_ice/") == []
    ok(alice, "drop table if exists demo_alice_gold.never_was")
    missing = run(alice, "drop table demo_alice_gold.never_was")
    assert missing["Status"]["StateChangeReason"] == "Table not found: demo_alice_gold.never_was"


def test_rename_keeps_the_location_and_properties_are_set(alice: Any) -> None:
    ok(alice, f"create table demo_alice_gold.old_name with (table_type='iceberg',"
              f" location='{GOLD}renamed/') as select 1 as one")  # fmt: skip
    ok(alice, "alter table `demo_alice_gold`.`old_name` rename to `demo_alice_gold`.`new_name`")
    assert glue_table(alice, "demo_alice_gold", "old_name") is None
    table = glue_table(alice, "demo_alice_gold", "new_name")
    assert table is not None and table["StorageDescriptor"]["Location"] == f"{GOLD}renamed/"
    assert rows(alice, "select one from demo_alice_gold.new_name") == [["1"]]
    ok(alice, "alter table demo_alice_gold.new_name set tblproperties ('classification'='parquet')")
    table = glue_table(alice, "demo_alice_gold", "new_name")
    assert table is not None
    assert table["Parameters"] == {"table_type": "ICEBERG", "classification": "parquet"}


def test_insert_and_merge_change_the_rows(alice: Any) -> None:
    ok(alice, f"create table demo_alice_gold.kv with (table_type='iceberg',"
              f" location='{GOLD}kv/') as select 'a' as k, 1 as v")  # fmt: skip
    inserted = ok(alice, "insert into demo_alice_gold.kv (v, k) select 2, 'b'")
    assert inserted["SubstatementType"] == "INSERT"
    assert len(keys(alice, f"{GOLD}kv/data/")) == 2
    merged = ok(
        alice,
        "merge into demo_alice_gold.kv as t using (select 'b' as k, 20 as v union all"
        " select 'c', 3) as s on s.k = t.k when matched then update set v = s.v"
        " when not matched then insert (k, v) values (s.k, s.v)",
    )
    results = alice.client("athena").get_query_results(QueryExecutionId=merged["QueryExecutionId"])
    assert results["UpdateCount"] == 2
    assert rows(alice, "select k, v from demo_alice_gold.kv order by k") == [
        ["a", "1"], ["b", "20"], ["c", "3"],
    ]  # fmt: skip
    assert len(keys(alice, f"{GOLD}kv/data/")) == 1  # the data files rewritten
    hive = run(alice, "merge into demo_alice_gold.ctas_hive as t using (select 1 as n) as s"
                      " on s.n = t.n when matched then delete")  # fmt: skip
    assert hive["Status"]["StateChangeReason"] == "MERGE INTO is supported only for Iceberg tables"


def test_a_learner_cannot_write_into_another_learners_database_or_bucket(
    lakes: TwinEnv, alice: Any
) -> None:
    bob = lakes.learner(BOB)
    bob_gold = f"s3://{twin.profile_of(BOB).location('gold')}/"
    ok(bob, "create table demo_bob_gold.mine as select 1 as one", workgroup="demo_bob_wg")
    attempts = {
        "database": CTAS.format(name="x", where=f"{GOLD}into_bob_db/").replace(
            "demo_alice_gold.x", "demo_bob_gold.x"
        ),
        "bucket": CTAS.format(name="into_bob_bucket", where=f"{bob_gold}stolen/"),
        "view": "create view demo_bob_gold.v as select 1 as one",
        "drop": "drop table demo_bob_gold.mine",
        "rename": "alter table demo_bob_gold.mine rename to demo_bob_gold.gone",
        "insert": "insert into demo_bob_gold.mine select 2",
    }
    for what, sql in attempts.items():
        failed = run(alice, sql)
        assert failed["Status"]["State"] == "FAILED", what
        reason = failed["Status"]["StateChangeReason"]
        assert "not authorized" in reason or "(AccessDenied)" in reason, (what, reason)
    assert keys(alice, f"{GOLD}into_bob_db/") == []
    assert glue_table(alice, "demo_alice_gold", "into_bob_bucket") is None
    names = [
        t["Name"] for t in bob.client("glue").get_tables(DatabaseName="demo_bob_gold")["TableList"]
    ]
    assert names == ["mine"]


def test_statements_the_twin_does_not_emulate_are_refused(alice: Any) -> None:
    partitioned = run(alice, "create table demo_alice_gold.p with (partitioned_by=ARRAY['r'])"
                             " as select 'x' as r")  # fmt: skip
    assert partitioned["Status"]["StateChangeReason"] == (
        "refused: partitioned_by is not emulated by the twin's Athena"
    )
    orc = run(alice, "create table demo_alice_gold.o with (format='ORC') as select 1 as x")
    assert orc["Status"]["StateChangeReason"] == (
        "refused: the twin's Athena writes tables as Parquet only"
    )
    assert glue_table(alice, "demo_alice_gold", "p") is None


def test_a_view_over_a_dropped_table_fails_saying_so(alice: Any) -> None:
    ok(alice, f"create table demo_alice_gold.base with (table_type='iceberg',"
              f" location='{GOLD}base/') as select 1 as one")  # fmt: skip
    # Unqualified, as a learner may write it: resolved in the view's own database.
    ok(alice, "create view demo_alice_gold.over_base as select one from base")
    assert rows(alice, "select * from demo_alice_gold.over_base") == [["1"]]
    ok(alice, "drop table demo_alice_gold.base")
    failed = run(alice, "select * from demo_alice_gold.over_base")
    assert failed["Status"]["State"] == "FAILED"
    reason = failed["Status"]["StateChangeReason"]
    assert reason.startswith("query failed: ")
    assert "view demo_alice_gold.over_base cannot be read: " in reason
