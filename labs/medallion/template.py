"""Your gold layer for the medallion lab: the shared jobs build bronze and silver, you write
`daily_sales`.

    lakelab lab start medallion --stack demo-alice-aws
    python -m labs.medallion.template --stack demo-alice-aws
    lakelab lab check medallion --stack demo-alice-aws

As given, the gold query counts cancelled orders and has only one row per day: the landing,
bronze and silver criteria pass, `gold-matches`, `gold-totals` and `catalog` fail until the
TODOs in `DAILY_SALES` are done. `lakelab run` (the shared gold job) replaces your table.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from labs.medallion.lakeio import connect, sql_path

# Runs over `silver_orders`: the silver orders table (order_id, customer_id, product_id,
# channel, region, quantity, unit_price, amount, status, order_ts, order_date, updated_at).
DAILY_SALES = """
SELECT
    order_date,
    'all' AS product_id,        -- TODO (L1): the grain is (order_date, product_id, region)
    'all' AS region,
    count(*) AS orders,
    sum(quantity) AS units,
    sum(amount) AS revenue
FROM silver_orders
-- TODO (L1): cancelled orders are not sales; returned orders still count
GROUP BY order_date
"""


def build(stack: str, log: Callable[[str], None] = print) -> int:
    """Bronze and silver with the shared jobs, gold with `DAILY_SALES`; returns gold rows."""
    from lakelab_jobs.jobargs import generated_run_id
    from lakelab_jobs.layout import Lake as JobLake
    from lakelab_jobs.pipeline import RunRequest, run
    from lakelab_jobs.publish import FILE_NAME

    from lakelab.lake import lake_for
    from lakelab.twinrun import mirror_root, pull, push, register_catalog, spark_session

    lake = lake_for(stack)
    root = mirror_root(stack)
    root.mkdir(parents=True, exist_ok=True)
    log(f"pulled {pull(lake, root)} new object(s)")
    run_id = generated_run_id("template")
    run(spark_session(stack), RunRequest(JobLake.under(root), run_id, stages=("bronze", "silver")))
    gold = root / "gold" / "daily_sales"
    gold.mkdir(parents=True, exist_ok=True)
    for old in gold.glob("*.parquet"):
        old.unlink()
    target = sql_path(gold / FILE_NAME)
    con = connect()
    try:
        silver = sql_path(root / "silver" / "orders" / "*.parquet")
        con.execute(f"CREATE VIEW silver_orders AS SELECT * FROM read_parquet({silver})")
        con.execute(
            "COPY (SELECT CAST(order_date AS DATE) AS order_date,"
            " CAST(product_id AS VARCHAR) AS product_id, CAST(region AS VARCHAR) AS region,"
            " CAST(orders AS BIGINT) AS orders, CAST(units AS BIGINT) AS units,"
            f" CAST(revenue AS DECIMAL(18,2)) AS revenue FROM ({DAILY_SALES}) ORDER BY 1, 2, 3)"
            f" TO {target} (FORMAT parquet, COMPRESSION snappy)"
        )
        rows = len(con.execute(f"SELECT 1 FROM read_parquet({target})").fetchall())
    finally:
        con.close()
    push(lake, root)
    tables = register_catalog(lake, root)
    log(f"published {rows} daily_sales row(s); {tables} table(s) in the catalog")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stack", required=True, help="the learner's stack")
    args = parser.parse_args(argv)
    build(args.stack)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
