"""End to end: silver Parquet -> `dbt build` (models, snapshot, data tests, unit tests) on
DuckDB, a second silver load, and `dbt docs generate`. Three dbt invocations in all, shared
by every test of this module through one module-scoped fixture."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dbt_harness import DbtEnv, DbtRun, write_silver

pytestmark = pytest.mark.slow

MODELS = {
    "stg_orders",
    "stg_customers",
    "stg_products",
    "fct_orders",
    "daily_sales",
    "dim_customers",
    "dim_products",
    "customer_orders",
}
FCT_COLUMNS = (
    "order_id, customer_id, product_id, channel, region, status, is_cancelled, quantity, "
    "unit_price, amount, order_ts, order_date, order_month, updated_at"
)
D = Decimal
T = datetime.fromisoformat


def day(text: str) -> date:
    return date.fromisoformat(text)


@dataclass
class Phase:
    run: DbtRun
    run_results: dict[str, Any]
    fct_orders: list[tuple[Any, ...]]
    loaded_at: dict[str, datetime]
    daily_sales: list[tuple[Any, ...]]
    dim_customers: list[tuple[Any, ...]]
    dim_products: list[tuple[Any, ...]]
    customer_orders: list[tuple[Any, ...]]


@dataclass
class Built:
    env: DbtEnv
    first: Phase
    second: Phase
    docs: DbtRun


def _phase(env: DbtEnv, run: DbtRun) -> Phase:
    assert run.returncode == 0, f"dbt failed:\n{run.output[-6000:]}"
    results = json.loads((env.target_path / "run_results.json").read_text())
    return Phase(
        run=run,
        run_results=results,
        fct_orders=env.query(f"select {FCT_COLUMNS} from gold.fct_orders order by order_id"),
        loaded_at=dict(env.query("select order_id, _loaded_at from gold.fct_orders")),
        daily_sales=env.query(
            "select * from gold.daily_sales order by order_date, product_id, region"
        ),
        dim_customers=env.query(
            "select customer_id, status, valid_from, valid_to, is_current "
            "from gold.dim_customers order by customer_id, valid_from"
        ),
        dim_products=env.query("select * from gold.dim_products order by product_id"),
        customer_orders=env.query("select * from gold.customer_orders order by customer_id"),
    )


@pytest.fixture(scope="module")
def built(dbt_env: DbtEnv) -> Built:
    write_silver(dbt_env.silver, 1)
    first = _phase(dbt_env, dbt_env.run("build"))
    write_silver(dbt_env.silver, 2)
    # The Spark jobs hand local layers over as file:// URIs.
    second = _phase(dbt_env, dbt_env.run("build", silver_uri=dbt_env.silver.as_uri()))
    docs = dbt_env.run("docs")
    return Built(dbt_env, first, second, docs)


# --- the build itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["first", "second"])
def test_build_runs_models_snapshot_data_tests_and_unit_tests(built: Built, phase: str) -> None:
    results = getattr(built, phase).run_results["results"]
    statuses = {r["unique_id"]: r["status"] for r in results}
    failed = {uid: s for uid, s in statuses.items() if s not in ("success", "pass")}
    assert not failed, failed
    kinds = {uid.split(".")[0] for uid in statuses}
    assert {"model", "snapshot", "test", "unit_test"} <= kinds
    assert {uid.split(".")[-1] for uid in statuses if uid.startswith("model.")} == MODELS
    unit_tests = {uid.split(".")[-1] for uid in statuses if uid.startswith("unit_test.")}
    assert {
        "stg_orders_normalises_codes_and_types",
        "fct_orders_flags_cancelled_and_derives_month",
        "fct_orders_incremental_reads_only_newer_rows",
        "daily_sales_excludes_cancelled_orders",
    } <= unit_tests
    assert "Deprecat" not in getattr(built, phase).run.output


def test_dbt_runs_stay_fast(built: Built) -> None:
    # Three invocations; dbt itself starts in a few seconds each.
    assert sum(r.seconds for r in built.env.runs) < 90, [r.seconds for r in built.env.runs]


# --- fct_orders ---------------------------------------------------------------------------------

FCT_FIRST = [
    (
        "o-1",
        "c-1",
        "p-1",
        "web",
        "north",
        "delivered",
        False,
        1,
        D("199.00"),
        D("199.00"),
        T("2026-02-01 10:00:00"),
        day("2026-02-01"),
        day("2026-02-01"),
        T("2026-02-03 12:00:00"),
    ),
    (
        "o-2",
        "c-1",
        "p-2",
        "web",
        "north",
        "shipped",
        False,
        2,
        D("14.50"),
        D("29.00"),
        T("2026-02-01 11:30:00"),
        day("2026-02-01"),
        day("2026-02-01"),
        T("2026-02-02 08:00:00"),
    ),
    (
        "o-3",
        "c-2",
        "p-2",
        "pos",
        "south",
        "delivered",
        False,
        4,
        D("14.50"),
        D("58.00"),
        T("2026-02-01 15:00:00"),
        day("2026-02-01"),
        day("2026-02-01"),
        T("2026-02-01 15:00:00"),
    ),
    (
        "o-4",
        "c-2",
        "p-3",
        "pos",
        "south",
        "cancelled",
        True,
        1,
        D("39.90"),
        D("39.90"),
        T("2026-02-02 09:00:00"),
        day("2026-02-02"),
        day("2026-02-01"),
        T("2026-02-02 10:00:00"),
    ),
    (
        "o-5",
        "c-3",
        "p-2",
        "web",
        "east",
        "returned",
        False,
        1,
        D("14.50"),
        D("14.50"),
        T("2026-02-02 23:30:00"),
        day("2026-02-02"),
        day("2026-02-01"),
        T("2026-02-05 09:00:00"),
    ),
    (
        "o-6",
        "c-1",
        "p-2",
        "pos",
        "north",
        "placed",
        False,
        2,
        D("14.00"),
        D("28.00"),
        T("2026-02-01 18:00:00"),
        day("2026-02-01"),
        day("2026-02-01"),
        T("2026-02-01 18:00:00"),
    ),
]


def test_fct_orders_first_build(built: Built) -> None:
    assert built.first.fct_orders == FCT_FIRST


def test_fct_orders_incremental_updates_changed_order_in_place(built: Built) -> None:
    second = built.second.fct_orders
    o2_cancelled = (
        "o-2",
        "c-1",
        "p-2",
        "web",
        "north",
        "cancelled",
        True,
        2,
        D("14.50"),
        D("29.00"),
        T("2026-02-01 11:30:00"),
        day("2026-02-01"),
        day("2026-02-01"),
        T("2026-02-10 12:00:00"),
    )
    o7 = (
        "o-7",
        "c-2",
        "p-1",
        "web",
        "south",
        "placed",
        False,
        1,
        D("189.00"),
        D("189.00"),
        T("2026-02-10 09:00:00"),
        day("2026-02-10"),
        day("2026-02-01"),
        T("2026-02-10 09:00:00"),
    )
    expected = [o2_cancelled if row[0] == "o-2" else row for row in FCT_FIRST] + [o7]
    assert second == expected
    ids = [row[0] for row in second]
    assert len(ids) == len(set(ids)), "an order_id appears twice"


def test_fct_orders_second_build_only_rewrote_new_and_changed_orders(built: Built) -> None:
    first, second = built.first.loaded_at, built.second.loaded_at
    rewritten = {oid for oid in second if first.get(oid) != second[oid]}
    assert rewritten == {"o-2", "o-7"}
    assert second["o-2"] > first["o-2"]


# --- daily_sales (gold contract) ----------------------------------------------------------------


def test_daily_sales_first_build(built: Built) -> None:
    assert built.first.daily_sales == [
        (day("2026-02-01"), "p-1", "north", 1, 1, D("199.00")),
        (day("2026-02-01"), "p-2", "north", 2, 4, D("57.00")),
        (day("2026-02-01"), "p-2", "south", 1, 4, D("58.00")),
        (day("2026-02-02"), "p-2", "east", 1, 1, D("14.50")),
        # o-4 (2026-02-02, p-3, south) is cancelled: no row.
    ]


def test_daily_sales_after_cancellation_and_new_order(built: Built) -> None:
    assert built.second.daily_sales == [
        (day("2026-02-01"), "p-1", "north", 1, 1, D("199.00")),
        (day("2026-02-01"), "p-2", "north", 1, 2, D("28.00")),
        (day("2026-02-01"), "p-2", "south", 1, 4, D("58.00")),
        (day("2026-02-02"), "p-2", "east", 1, 1, D("14.50")),
        (day("2026-02-10"), "p-1", "south", 1, 1, D("189.00")),
    ]


def test_daily_sales_has_the_gold_contract_columns_and_types(built: Built) -> None:
    columns = built.env.query(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'gold' and table_name = 'daily_sales' order by ordinal_position"
    )
    assert columns == [
        ("order_date", "DATE"),
        ("product_id", "VARCHAR"),
        ("region", "VARCHAR"),
        ("orders", "BIGINT"),
        ("units", "BIGINT"),
        ("revenue", "DECIMAL(18,2)"),
    ]


# --- dim_customers (SCD2 from the snapshot) -----------------------------------------------------


def test_dim_customers_first_build_has_one_open_version_each(built: Built) -> None:
    assert built.first.dim_customers == [
        ("c-1", "active", T("2026-01-01 08:00:00"), None, True),
        ("c-2", "active", T("2026-01-02 09:00:00"), None, True),
        ("c-3", "closed", T("2026-01-03 10:00:00"), None, True),
    ]


def test_dim_customers_keeps_history_after_status_change(built: Built) -> None:
    assert built.second.dim_customers == [
        ("c-1", "active", T("2026-01-01 08:00:00"), T("2026-02-10 00:00:00"), False),
        ("c-1", "suspended", T("2026-02-10 00:00:00"), None, True),
        ("c-2", "active", T("2026-01-02 09:00:00"), None, True),
        ("c-3", "closed", T("2026-01-03 10:00:00"), None, True),
    ]
    current = [row for row in built.second.dim_customers if row[0] == "c-1" and row[4]]
    assert len(current) == 1


# --- the other marts ----------------------------------------------------------------------------


def test_dim_products(built: Built) -> None:
    assert built.second.dim_products == [
        (
            "p-1",
            "Espresso Machine",
            "Kitchen",
            D("199.00"),
            "Espresso Machine (Kitchen)",
            T("2026-01-01 00:00:00"),
        ),
        (
            "p-2",
            "Coffee Beans 1kg",
            "Grocery",
            D("14.50"),
            "Coffee Beans 1kg (Grocery)",
            T("2026-01-01 00:00:00"),
        ),
        (
            "p-3",
            "Milk Frother",
            "Kitchen",
            D("39.90"),
            "Milk Frother (Kitchen)",
            T("2026-01-01 00:00:00"),
        ),
    ]


def test_customer_orders(built: Built) -> None:
    assert built.first.customer_orders == [
        (
            "c-1",
            "Ada Lovelace",
            "consumer",
            "north",
            "active",
            day("2026-02-01"),
            day("2026-02-01"),
            0,
            3,
            0,
            5,
            D("256.00"),
        ),
        (
            "c-2",
            "Bolt Trading Ltd",
            "business",
            "south",
            "active",
            day("2026-02-01"),
            day("2026-02-02"),
            1,
            1,
            1,
            4,
            D("58.00"),
        ),
        (
            "c-3",
            "Cy Young",
            "consumer",
            "east",
            "closed",
            day("2026-02-02"),
            day("2026-02-02"),
            0,
            1,
            0,
            1,
            D("14.50"),
        ),
    ]
    assert built.second.customer_orders == [
        (
            "c-1",
            "Ada Lovelace",
            "consumer",
            "north",
            "suspended",
            day("2026-02-01"),
            day("2026-02-01"),
            0,
            2,
            1,
            3,
            D("227.00"),
        ),
        (
            "c-2",
            "Bolt Trading Ltd",
            "business",
            "south",
            "active",
            day("2026-02-01"),
            day("2026-02-10"),
            9,
            2,
            1,
            5,
            D("247.00"),
        ),
        (
            "c-3",
            "Cy Young",
            "consumer",
            "east",
            "closed",
            day("2026-02-02"),
            day("2026-02-02"),
            0,
            1,
            0,
            1,
            D("14.50"),
        ),
    ]


# --- docs and lineage ---------------------------------------------------------------------------


def _artifacts(built: Built) -> tuple[dict[str, Any], dict[str, Any]]:
    assert built.docs.returncode == 0, built.docs.output[-4000:]
    target: Path = built.env.target_path
    return (
        json.loads((target / "manifest.json").read_text()),
        json.loads((target / "catalog.json").read_text()),
    )


def test_docs_generate_writes_catalog_and_manifest(built: Built) -> None:
    manifest, catalog = _artifacts(built)
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert models == MODELS
    in_catalog = {uid.split(".")[-1] for uid in catalog["nodes"]}
    assert MODELS | {"customers_snapshot"} <= in_catalog
    assert (built.env.target_path / "index.html").is_file()


def test_lineage_runs_from_silver_to_gold(built: Built) -> None:
    manifest, _ = _artifacts(built)
    parents = manifest["parent_map"]
    assert parents["model.lakelab.stg_orders"] == ["source.lakelab.silver.orders"]
    assert parents["model.lakelab.fct_orders"] == ["model.lakelab.stg_orders"]
    assert parents["model.lakelab.daily_sales"] == ["model.lakelab.fct_orders"]
    assert parents["snapshot.lakelab.customers_snapshot"] == ["model.lakelab.stg_customers"]
    assert parents["model.lakelab.dim_customers"] == ["snapshot.lakelab.customers_snapshot"]


def test_every_model_and_column_is_documented(built: Built) -> None:
    manifest, catalog = _artifacts(built)
    problems = []
    for uid, entry in catalog["nodes"].items():
        node = manifest["nodes"][uid]
        if len(node["description"].strip()) < 40:
            problems.append(f"{uid}: no real description")
        for column in entry["columns"]:
            described = node["columns"].get(column.lower(), {}).get("description", "")
            if len(described.strip()) < 15:
                problems.append(f"{uid}.{column}: undocumented")
        for column in node["columns"]:
            if column.lower() not in {c.lower() for c in entry["columns"]}:
                problems.append(f"{uid}.{column}: documented but not in the table")
    for uid, source in manifest["sources"].items():
        if not source["description"].strip():
            problems.append(f"{uid}: no description")
    assert not problems, problems
