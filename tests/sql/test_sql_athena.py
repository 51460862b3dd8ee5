"""Athena (Trino) SQL keeps its meaning on DuckDB: the translation is run by real DuckDB and
its answers compared with what Trino documents."""

from __future__ import annotations

import duckdb
import pytest

from lakelab.clouds.aws.views import view_input, view_sql
from lakelab.sql import translate


def answer(sql: str) -> list[tuple[object, ...]]:
    return duckdb.sql(translate(sql, "athena")).fetchall()


def test_dbt_athenas_day_datediff_counts_days() -> None:
    # dbt-athena's `datediff(a, b, 'day')`, verbatim.
    sql = (
        "select ((to_milliseconds((CAST(CAST(b AS TIMESTAMP) AS DATE)"
        " - CAST(CAST(a AS TIMESTAMP) AS DATE)))) / 86400000) as days"
        " from (select date '2026-01-01' as a, date '2026-03-02' as b)"
    )
    assert answer(sql) == [(60,)]


def test_to_milliseconds_of_a_timestamp_difference() -> None:
    sql = (
        "select to_milliseconds(timestamp '2026-01-01 00:00:01.5'"
        " - timestamp '2026-01-01 00:00:00') as ms"
    )
    assert answer(sql) == [(1500,)]


def test_integer_division_truncates_as_in_trino() -> None:
    assert answer("select cast(7 as bigint) / 2 as half, 7.0 / 2 as exact") == [(3, 3.5)]


def test_the_default_catalog_is_dropped() -> None:
    assert (
        translate('select * from "awsdatacatalog"."db"."t"', "athena") == 'SELECT * FROM "db"."t"'
    )
    assert translate("select * from other.db.t", "athena") == "SELECT * FROM other.db.t"


def test_a_view_reads_back_from_its_glue_entry() -> None:
    entry = view_input("v", "db", "select 1 as one", [("one", "int"), ("s", "string")])
    assert view_sql(entry) == "select 1 as one"
    assert view_sql({**entry, "TableType": "EXTERNAL_TABLE"}) is None
    assert view_sql({**entry, "ViewOriginalText": "/* Presto View: !!! */"}) is None


@pytest.mark.parametrize("sql", ["create table t as select 1", "drop table t"])
def test_non_queries_are_still_refused_by_the_query_path(sql: str) -> None:
    from lakelab.sql import QueryRefused

    with pytest.raises(QueryRefused):
        translate(sql, "athena")
