"""Building blocks every cloud's price list uses: a priced line item, a count of planned
resources, and a scan-billed query line with the engine's per-query minimum."""

from __future__ import annotations

from typing import Any

from lakelab.cost import model
from lakelab.cost.catalog import Catalog
from lakelab.cost.model import LineItem
from lakelab.plan import Plan


def item(
    cat: Catalog, what: str, when: model.When, quantity: float, price_id: str, basis: str = ""
) -> LineItem:
    price = cat.price(price_id)
    return LineItem(what, when, quantity, price.unit, price.usd, price_id, basis)


def lab_item(cat: Catalog, what: str, quantity: float, price_id: str, basis: str) -> LineItem:
    """A charge of one course session (billed while the lab is used)."""
    return item(cat, what, "lab", quantity, price_id, basis)


def count(plan: Plan, type_: str) -> int:
    return len(plan.of_type(type_))


def scan(cat: Catalog, what: str, queries: int, mb: float, price_id: str) -> list[LineItem]:
    if not queries:
        return []
    floor = cat.minimum(price_id)
    return [
        lab_item(
            cat,
            what,
            model.scanned_tb(queries, mb, floor, cat.value("mb_per_tb")),
            price_id,
            f"{queries} queries x max({mb:g}, {floor:g}) MB",
        )
    ]


def glue_price_id(ci: dict[str, Any]) -> str:
    """The Glue price the plan's execution class bills at (standard when the plan predates
    the setting)."""
    flex = str(ci.get("glue_execution_class", "STANDARD")) == "FLEX"
    return "glue_flex_dpu_hour" if flex else "glue_dpu_hour"
