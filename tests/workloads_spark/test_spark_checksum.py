"""The Spark side of the content checksum (`lakelab_jobs.checksum.aggregates`): summed in
Spark as two 64-bit halves and combined in Python, it gives the exact checksum of the rows,
also when the total is beyond 64 bits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from lakelab_jobs.checksum import aggregates, from_metrics
from lakelab_jobs.contract import DAILY_SALES_SCHEMA

ROWS = [
    (date(2024, 5, 1), "P1", "north", 2, 4, Decimal("40.00")),
    (date(2024, 5, 1), "P2", "north", 1, 3, Decimal("16.50")),
    (date(2024, 5, 2), "P1", "west", 1, 4, Decimal("10.00")),
]
SCHEMA = ", ".join(f"{name} {kind}" for name, kind in DAILY_SALES_SCHEMA)


def _checksum(spark: Any, rows: list[tuple[Any, ...]]) -> str:
    (metrics,) = spark.createDataFrame(rows, SCHEMA).agg(*aggregates(DAILY_SALES_SCHEMA)).collect()
    return str(from_metrics(metrics.asDict()))


def test_spark_checksum_of_known_rows_is_exact(spark: Any) -> None:
    # The same figure as test_checksum.py's hand-computed one.
    assert _checksum(spark, ROWS) == "sha256-60:3:1392965e96d23018"
    assert _checksum(spark, []) == "sha256-60:0:0"


def test_spark_checksum_is_exact_beyond_64_bits(spark: Any) -> None:
    # 40 copies: 40 * 0x1392965e96d23018 does not fit a signed 64-bit integer.
    assert _checksum(spark, ROWS * 40) == "sha256-60:120:30ee77ec790d783c0"
