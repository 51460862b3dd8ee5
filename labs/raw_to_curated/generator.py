"""Two days of retail data for the raw-to-curated lab: a normal day, then a short export.

Day 1 (Tuesday 7 April 2026) is an ordinary day: the POS and web-shop exports, the CRM
extract and the product catalogue, with the usual mess (see `labs.medallion.generator`).
It also carries rows that are valid but suspicious, for the lab's *warn* rules:

- web orders from customers the CRM extract does not know yet (new sign-ups);
- prices keyed in cents at a till (`1299.00` for 12.99): valid numbers, a hundred times
  the list price;
- store sales of discontinued SKUs that are no longer in the catalogue.

Day 2 is the **short export**: the nightly export job ran at 11:00 instead of after closing,
so both files hold only the morning. Every row in them is well-formed; only the volume is
wrong, which no row-level rule can see. That is the quality gate's job.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from lakelab_jobs.contract import CUSTOMERS, ORDERS, PRODUCTS

from labs.medallion.generator import (
    Landing,
    Mess,
    Volumes,
    customer_file,
    day_batches,
    exports,
    make_orders,
    make_world,
    order_file,
    product_file,
)

DAY1: Final = date(2026, 4, 7)
DAY2: Final = DAY1 + timedelta(days=1)
SHORT_EXPORT_AT: Final = datetime(DAY2.year, DAY2.month, DAY2.day, 11)

# Valid but suspicious: silver keeps these rows, the warn rules flag them.
WEB_WARN: Final = (
    Mess("customer not in the CRM yet", "customer_id", lambda r: f"C9{r['customer_id'][2:]}"),
)
POS_WARN: Final = (
    Mess(
        "price keyed in cents",
        "unit_price",
        lambda r: f"{Decimal(r['unit_price']) * 100:.2f}",
    ),
    Mess("discontinued SKU", "product_id", lambda r: f"SKU-9{r['product_id'][5:]}"),
)


@dataclass(frozen=True)
class Scenario:
    day1: Landing
    day2: Landing

    @property
    def both(self) -> Landing:
        return self.day1.merged(self.day2)


def raw_to_curated(seed: int, factor: float) -> Scenario:
    vol = Volumes.at(factor)
    as_of = datetime.combine(DAY1, datetime.min.time())
    world = make_world(seed + 10, vol.customers, vol.products, as_of)
    histories = make_orders(
        world, [DAY1 - timedelta(days=1), DAY1, DAY2], vol.orders_per_day, seed + 11
    )
    histories = [
        h for h in histories if h.first.order_ts.date() >= DAY1 or h.first.channel == "web"
    ]
    exported = exports(histories, [DAY1, DAY2], {}, closed_early={DAY2: SHORT_EXPORT_AT})
    rng = random.Random(seed + 12)
    days = []
    for day in (DAY1, DAY2):
        out = Landing()
        if day == DAY1:
            texts, fates = customer_file(world.customers, rng, 0.003, 0.004)
            out.add(CUSTOMERS, day.isoformat(), texts, fates)
            texts, fates = product_file(world.products, rng, 0.004)
            out.add(PRODUCTS, day.isoformat(), texts, fates)
        for channel, batch in zip(("pos", "web"), day_batches(day), strict=True):
            warn = (POS_WARN if channel == "pos" else WEB_WARN) if day == DAY1 else ()
            texts, fates = order_file(exported[(day, channel)], channel, rng, 0.003, 0.004, warn)
            out.add(ORDERS, batch, texts, fates)
        days.append(out)
    return Scenario(days[0], days[1])
