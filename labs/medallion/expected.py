"""An independent computation of what the pipeline must produce: DuckDB over the generated
landing CSVs, with the data contract's rules (`lakelab_jobs.reference`), no Spark involved."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from labs.medallion.lakeio import connect, sql_path

Sales = dict[tuple[str, str, str], tuple[int, int, Decimal]]


def reference_gold(files: Mapping[str, bytes], work: Path) -> Sales:
    """`daily_sales` computed by DuckDB from landing files (`<entity>/<batch>.csv` -> bytes)."""
    from lakelab_jobs.reference import ReferenceLake, run_reference

    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reference-", dir=work) as tmp:
        root = Path(tmp)
        for key, data in files.items():
            path = root / "landing" / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        run_reference(root / "landing", ReferenceLake(root / "lake"))
        gold = root / "lake" / "gold" / "daily_sales" / "part-0.parquet"
        con = connect()
        try:
            rows = con.execute(
                "SELECT order_date::VARCHAR, product_id, region, orders, units, revenue"
                f" FROM read_parquet({sql_path(gold)})"
            ).fetchall()
        finally:
            con.close()
    return {(str(a), str(b), str(c)): (int(d), int(e), Decimal(f)) for a, b, c, d, e, f in rows}


def totals(sales: Mapping[tuple[str, str, str], tuple[int, int, Decimal]]) -> dict[str, str | int]:
    return {
        "rows": len(sales),
        "orders": sum(v[0] for v in sales.values()),
        "units": sum(v[1] for v in sales.values()),
        "revenue": str(sum((Decimal(v[2]) for v in sales.values()), Decimal("0.00"))),
    }


def mismatches(
    found: Mapping[tuple[str, str, str], tuple[int, int, object]], expected: Sales
) -> int:
    """Grain keys whose row differs (or exists on one side only)."""
    keys = set(found) | set(expected)
    return sum(
        1
        for k in keys
        if k not in found
        or k not in expected
        or (found[k][0], found[k][1], Decimal(str(found[k][2]))) != expected[k]
    )
