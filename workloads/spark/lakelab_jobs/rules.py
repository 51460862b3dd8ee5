"""Silver typing and validation: bronze strings in, typed values plus a reason code out.

Each entity's rules are data (`RULES`), applied by one function, so the full list of checks
is readable in one place and documented in workloads/spark/README.md.

Normalisation: every field is trimmed of leading and trailing spaces, and a blank field
counts as missing; coded values and emails are lower-cased. Parsing is strict on purpose:
numbers are plain decimals (`12`, `-3`, `19.99`; no thousands separators, at most two decimals), and
timestamps are ISO-8601 (`2024-05-01 10:00:00`, optional `T`, fraction and zone; UTC if no
zone). A value that matches the shape but not the type (`2024-02-30`, an overflowing
number) is malformed as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from lakelab_jobs.contract import (
    CHANNELS,
    CUSTOMER_STATUSES,
    ORDER_STATUSES,
    REASON_CODE,
    REGIONS,
    SEGMENTS,
    Entity,
    Reason,
)

INTEGER_SHAPE: Final = r"^[+-]?[0-9]{1,10}$"
DECIMAL_SHAPE: Final = r"^[+-]?[0-9]{1,15}(\.[0-9]{1,2})?$"
TIMESTAMP_SHAPE: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
EMAIL_SHAPE: Final = r"^[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$"

# Typed column names are prefixed while bronze columns are still needed for quarantine.
TYPED: Final = "t__"


def typed(name: str) -> str:
    return f"{TYPED}{name}"


def _text(name: str) -> str:
    """Normalised (trimmed, maybe lower-cased) text of landing column `name`."""
    return f"n__{name}"


def col(name: str) -> Column:
    """The typed (normalised) value of landing column `name`."""
    return F.col(typed(name))


@dataclass(frozen=True)
class Rules:
    """How one entity's landing strings become silver values, and what makes a row invalid."""

    required: tuple[str, ...]
    integers: tuple[str, ...] = ()
    decimals: dict[str, str] = field(default_factory=dict)
    timestamps: tuple[str, ...] = ()
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lower_case: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    # Each returns True for a row whose (typed) values are implausible.
    out_of_range: tuple[Callable[[], Column], ...] = ()
    # Silver columns computed from typed ones: name -> expression.
    derived: dict[str, Callable[[], Column]] = field(default_factory=dict)


RULES: Final[dict[str, Rules]] = {
    "orders": Rules(
        required=(
            "order_id",
            "customer_id",
            "product_id",
            "channel",
            "region",
            "quantity",
            "unit_price",
            "status",
            "order_ts",
            "updated_at",
        ),
        integers=("quantity",),
        decimals={"unit_price": "decimal(12,2)"},
        timestamps=("order_ts", "updated_at"),
        enums={"channel": CHANNELS, "region": REGIONS, "status": ORDER_STATUSES},
        out_of_range=(
            lambda: ~col("quantity").between(1, 10_000),
            lambda: ~col("unit_price").between(0, 100_000),
            # An order cannot change before it was placed.
            lambda: col("updated_at") < col("order_ts"),
        ),
        derived={
            "amount": lambda: (col("quantity") * col("unit_price")).cast("decimal(14,2)"),
            "order_date": lambda: F.to_date(col("order_ts")),
        },
    ),
    "customers": Rules(
        required=("customer_id", "name", "email", "segment", "region", "status", "updated_at"),
        timestamps=("updated_at",),
        enums={"segment": SEGMENTS, "status": CUSTOMER_STATUSES},
        lower_case=("region",),
        emails=("email",),
    ),
    "products": Rules(
        required=("product_id", "name", "category", "list_price", "updated_at"),
        decimals={"list_price": "decimal(12,2)"},
        timestamps=("updated_at",),
        out_of_range=(lambda: ~col("list_price").between(0, 100_000),),
    ),
}


def _any(conditions: list[Column]) -> Column | None:
    if not conditions:
        return None
    result = conditions[0]
    for condition in conditions[1:]:
        result = result | condition
    return result


def apply_rules(bronze: DataFrame, entity: Entity) -> DataFrame:
    """Bronze rows plus `t__<column>` typed values and `reason_code` (NULL when valid).

    A row gets the first reason that applies, in `Reason` order.
    """
    rules = RULES[entity.name]
    lowered = {*rules.enums, *rules.lower_case, *rules.emails}
    normalised = []
    for c in entity.landing:
        # SQL TRIM (spaces): trimming a custom character set costs Spark far more per value.
        value = F.nullif(F.trim(F.col(c)), F.lit(""))
        normalised.append((F.lower(value) if c in lowered else value).alias(_text(c)))
    df = bronze.select("*", *normalised)

    values: list[Column] = []
    malformed_number: list[Column] = []
    malformed_timestamp: list[Column] = []
    for c in entity.landing:
        v = F.col(_text(c))
        bad = v.isNotNull() & col(c).isNull()
        if c in rules.integers:
            values.append(F.when(v.rlike(INTEGER_SHAPE), v.cast("int")).alias(typed(c)))
            malformed_number.append(bad)
        elif c in rules.decimals:
            values.append(F.when(v.rlike(DECIMAL_SHAPE), v.cast(rules.decimals[c])).alias(typed(c)))
            malformed_number.append(bad)
        elif c in rules.timestamps:
            values.append(F.when(v.rlike(TIMESTAMP_SHAPE), v.cast("timestamp")).alias(typed(c)))
            malformed_timestamp.append(bad)
        else:
            values.append(v.alias(typed(c)))
    df = df.select(*bronze.columns, *(F.col(_text(c)) for c in entity.landing), *values)

    checks: list[tuple[Reason, Column | None]] = [
        (Reason.MISSING_REQUIRED, _any([F.col(_text(c)).isNull() for c in rules.required])),
        (Reason.MALFORMED_NUMBER, _any(malformed_number)),
        (Reason.MALFORMED_TIMESTAMP, _any(malformed_timestamp)),
        (Reason.INVALID_ENUM, _any([~col(c).isin(*ok) for c, ok in rules.enums.items()])),
        (Reason.INVALID_EMAIL, _any([~col(c).rlike(EMAIL_SHAPE) for c in rules.emails])),
        (Reason.OUT_OF_RANGE, _any([check() for check in rules.out_of_range])),
    ]
    reason: Column | None = None
    for code, condition in checks:
        if condition is None:
            continue
        reason = (F.when if reason is None else reason.when)(condition, F.lit(code.value))
    df = df.withColumn(REASON_CODE, reason if reason is not None else F.lit(None).cast("string"))
    derived = [expression().alias(typed(name)) for name, expression in rules.derived.items()]
    return df.select(*bronze.columns, *(col(c) for c in entity.landing), *derived, REASON_CODE)


def silver_projection(entity: Entity) -> list[Column]:
    """Typed columns renamed and cast to the silver contract, in contract order."""
    return [F.col(typed(name)).cast(kind).alias(name) for name, kind in entity.silver]
