"""Each cloud's price list, found by the cloud's name in the registry.

`lakelab.cost.pricing.<cloud>` defines `standing(plan, cat)` (what a lab costs while it
stands, and per lab hour) and `session(plan, session, cat)` (what one course session costs).
A new cloud adds its module here; nothing else in the cost code names a cloud.
"""

from __future__ import annotations

import importlib
from typing import Protocol, cast

from lakelab.clouds import cloud_for
from lakelab.cost.catalog import Catalog
from lakelab.cost.course import Session
from lakelab.cost.model import LineItem
from lakelab.plan import Plan


class PriceList(Protocol):
    def standing(self, plan: Plan, cat: Catalog) -> tuple[LineItem, ...]: ...

    def session(self, plan: Plan, s: Session, cat: Catalog) -> tuple[LineItem, ...]: ...


def price_list(cloud: str) -> PriceList:
    module = importlib.import_module(f"{__name__}.{cloud_for(cloud).name}")
    return cast(PriceList, module)
