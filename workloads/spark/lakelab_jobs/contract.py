"""The data contract of workloads/README.md as code: entities, columns, keys, enums and the
quarantine reason codes.

Every stage reads its column lists from here, so a contract change is made in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Reason(StrEnum):
    """Why a row went to quarantine. A row gets the first reason that applies, in this order."""

    MISSING_REQUIRED = "MISSING_REQUIRED"  # a required field is absent or blank
    MALFORMED_NUMBER = "MALFORMED_NUMBER"  # a number does not parse or overflows its type
    MALFORMED_TIMESTAMP = "MALFORMED_TIMESTAMP"  # a timestamp is not ISO-8601 or not a real instant
    INVALID_ENUM = "INVALID_ENUM"  # a coded value is outside its allowed set
    INVALID_EMAIL = "INVALID_EMAIL"  # an email has no `local@domain.tld` shape
    OUT_OF_RANGE = "OUT_OF_RANGE"  # a value parses but is implausible (see `rules.py`)


REASONS: Final[tuple[str, ...]] = tuple(r.value for r in Reason)

CHANNELS: Final = ("pos", "web")
REGIONS: Final = ("north", "south", "east", "west")
ORDER_STATUSES: Final = ("placed", "shipped", "delivered", "cancelled", "returned")
SEGMENTS: Final = ("consumer", "business")
CUSTOMER_STATUSES: Final = ("active", "suspended", "closed")

# Lineage columns bronze adds to every landing row.
LINEAGE: Final = ("_source_file", "_ingested_at", "_run_id")
# Bronze and quarantine are partitioned by landing batch (the CSV file's stem), so a rerun
# replaces exactly the batches it processed.
BATCH: Final = "batch"
REASON_CODE: Final = "reason_code"
# Target rows per silver file: small enough that a change rewrites little, large enough
# that readers do not drown in files.
ROWS_PER_FILE: Final = 25_000


@dataclass(frozen=True)
class Entity:
    """One source entity: its landing columns and its silver table."""

    name: str
    key: str
    landing: tuple[str, ...]
    # Silver columns as (name, Spark SQL type), in contract order.
    silver: tuple[tuple[str, str], ...]
    # Columns whose values are (nearly) all distinct: written without a Parquet dictionary,
    # which would only be built and then abandoned.
    distinct: tuple[str, ...] = ()

    @property
    def silver_columns(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.silver)

    @property
    def silver_ddl(self) -> str:
        return ", ".join(f"{name} {kind}" for name, kind in self.silver)

    @property
    def bronze_columns(self) -> tuple[str, ...]:
        return (*self.landing, *LINEAGE)


ORDERS: Final = Entity(
    name="orders",
    key="order_id",
    landing=(
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
    silver=(
        ("order_id", "string"),
        ("customer_id", "string"),
        ("product_id", "string"),
        ("channel", "string"),
        ("region", "string"),
        ("quantity", "int"),
        ("unit_price", "decimal(12,2)"),
        ("amount", "decimal(14,2)"),
        ("status", "string"),
        ("order_ts", "timestamp"),
        ("order_date", "date"),
        ("updated_at", "timestamp"),
    ),
    distinct=("order_id", "order_ts", "updated_at", "amount"),
)

CUSTOMERS: Final = Entity(
    name="customers",
    key="customer_id",
    landing=("customer_id", "name", "email", "segment", "region", "status", "updated_at"),
    silver=(
        ("customer_id", "string"),
        ("name", "string"),
        ("email", "string"),
        ("segment", "string"),
        ("region", "string"),
        ("status", "string"),
        ("updated_at", "timestamp"),
    ),
    distinct=("customer_id", "email", "updated_at"),
)

PRODUCTS: Final = Entity(
    name="products",
    key="product_id",
    landing=("product_id", "name", "category", "list_price", "updated_at"),
    silver=(
        ("product_id", "string"),
        ("name", "string"),
        ("category", "string"),
        ("list_price", "decimal(12,2)"),
        ("updated_at", "timestamp"),
    ),
    distinct=("product_id",),
)

ENTITIES: Final[dict[str, Entity]] = {e.name: e for e in (ORDERS, CUSTOMERS, PRODUCTS)}

# Gold: daily_sales at the grain (order_date, product_id, region); cancelled orders excluded.
DAILY_SALES: Final = "daily_sales"
DAILY_SALES_GRAIN: Final = ("order_date", "product_id", "region")
DAILY_SALES_SCHEMA: Final = (
    ("order_date", "date"),
    ("product_id", "string"),
    ("region", "string"),
    ("orders", "bigint"),
    ("units", "bigint"),
    ("revenue", "decimal(18,2)"),
)
EXCLUDED_FROM_SALES: Final = ("cancelled",)
DAILY_SALES_DISTINCT: Final = ("revenue",)
