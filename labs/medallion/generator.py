"""Deterministic retail data for the medallion labs: stores (POS) and a web shop.

The same seed and scale always give the same bytes. Data is built in three steps:

1. **A world** (Faker, fixed seed): customers with names, emails, segments and home regions,
   a product catalogue with category price ranges, and stores spread over the four regions.
2. **Orders and their lifecycle**: order volumes per weekday, lunch and evening peaks, a few
   products that sell far more than the rest, discounts, and status changes over time (web
   orders are placed, shipped, delivered, sometimes cancelled or returned; store sales are
   delivered at the till and sometimes returned).
3. **Exports**, the way the sources deliver them: one CSV per source and day in the data
   contract's landing format (`landing/orders/<day>-pos.csv`, `<day>-web.csv`,
   `landing/customers/<day>.csv`, `landing/products/<day>.csv`). An export holds the latest
   state of every order that changed in its window, so an order shows up again when its
   status changes. The web export closes at 23:00, so late-evening orders arrive a day late;
   a store that was offline uploads its sales the next day (late records).

Then the mess is added, file by file: padded and oddly cased codes, ids with stray spaces,
upper-case names and emails (all fixed by silver's normalisation), and rows that silver must
reject, one kind of fault per row (blank required fields, decimal commas, US-style
timestamps, unknown codes, negative quantities, clock skew, invalid emails), plus exact
duplicates and stale versions of orders.

Every landed row is recorded in a `Ledger` with its fate (valid, or the reason code silver
must give it), which is what the labs' checks compare the lake with.

`LAKELAB_LAB_SCALE` scales the volumes (default 1: about 5,000 orders a day).
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Final

from lakelab_jobs.contract import CUSTOMERS, ORDERS, PRODUCTS, REGIONS

from labs.medallion.ledger import VALID, Landed, Landing, Ledger, silver_values
from labs.medallion.mess import (
    CUSTOMER_MESS,
    POS_MESS,
    PRODUCT_MESS,
    WEB_MESS,
    Mess,
    mess_count,
    spoil,
)
from labs.medallion.orders import History, export_day, exports, make_orders
from labs.medallion.texts import csv_bytes, customer_text, order_text, product_text
from labs.medallion.world import Customer, Order, Product, Store, World, make_world

# The names the labs import from here; each piece lives in its own module.
__all__ = [
    "CUSTOMER_MESS",
    "POS_MESS",
    "PRODUCT_MESS",
    "VALID",
    "WEB_MESS",
    "Customer",
    "History",
    "Landed",
    "Landing",
    "Ledger",
    "Mess",
    "Order",
    "Product",
    "Store",
    "Volumes",
    "World",
    "csv_bytes",
    "customer_changes",
    "customer_file",
    "customer_text",
    "day_batches",
    "days_from",
    "describe",
    "export_day",
    "exports",
    "make_orders",
    "make_world",
    "medallion",
    "mess_count",
    "order_file",
    "order_text",
    "product_file",
    "product_text",
    "scale",
    "silver_values",
    "spoil",
]

SCALE_ENV: Final = "LAKELAB_LAB_SCALE"


def scale() -> float:
    """`LAKELAB_LAB_SCALE` as a number in (0, 10]; 1 when unset."""
    raw = os.environ.get(SCALE_ENV, "1")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{SCALE_ENV} must be a number, not {raw!r}") from None
    if not 0 < value <= 10:
        raise ValueError(f"{SCALE_ENV} must be in (0, 10]")
    return value


def order_file(
    orders: list[Order],
    channel: str,
    rng: random.Random,
    rate: float,
    duplicate_rate: float,
    extra: Sequence[Mess] = (),
) -> tuple[list[dict[str, str]], list[str]]:
    """One export's rows with mess, exact duplicates and (web) stale versions appended."""
    texts = [order_text(o) for o in orders]
    fates = spoil(texts, (*(POS_MESS if channel == "pos" else WEB_MESS), *extra), rng, rate)
    extra_texts: list[dict[str, str]] = []
    extra_fates: list[str] = []
    if texts:
        # A retried upload repeats a run of rows at the end of the file.
        k = mess_count(len(texts), duplicate_rate)
        start = rng.randrange(0, max(1, len(texts) - k))
        extra_texts += [dict(t) for t in texts[start : start + k]]
        extra_fates += fates[start : start + k]
    if channel == "web":
        # The shop's feed sometimes re-sends the order as first placed, next to its update.
        moved = [i for i, o in enumerate(orders) if o.status != "placed" and fates[i] == VALID]
        for i in rng.sample(moved, min(len(moved), mess_count(len(texts), duplicate_rate))):
            first = replace(orders[i], status="placed", updated_at=orders[i].order_ts)
            extra_texts.append(order_text(first))
            extra_fates.append(VALID)
    return texts + extra_texts, fates + extra_fates


def customer_file(
    customers: Sequence[Customer], rng: random.Random, rate: float, duplicate_rate: float
) -> tuple[list[dict[str, str]], list[str]]:
    texts = [customer_text(c) for c in customers]
    fates = spoil(texts, CUSTOMER_MESS, rng, rate)
    dups = rng.sample(range(len(texts)), min(len(texts), mess_count(len(texts), duplicate_rate)))
    return texts + [dict(texts[i]) for i in dups], fates + [fates[i] for i in dups]


def product_file(
    products: Sequence[Product], rng: random.Random, rate: float
) -> tuple[list[dict[str, str]], list[str]]:
    texts = [product_text(p) for p in products]
    fates = spoil(texts, PRODUCT_MESS, rng, rate)
    return texts, fates


def customer_changes(world: World, day: date, share: float, rng: random.Random) -> list[Customer]:
    """Customers the CRM changed on `day`: moved region, changed segment or status."""
    changed = []
    for c in rng.sample(world.customers, max(1, round(len(world.customers) * share))):
        what = rng.random()
        at = datetime(day.year, day.month, day.day) + timedelta(
            seconds=rng.randrange(8 * 3600, 20 * 3600)
        )
        if what < 0.4:
            region = rng.choice([r for r in REGIONS if r != c.region])
            changed.append(replace(c, region=region, updated_at=at))
        elif what < 0.8:
            segment = "business" if c.segment == "consumer" else "consumer"
            changed.append(replace(c, segment=segment, updated_at=at))
        else:
            changed.append(replace(c, status="suspended", updated_at=at))
    return sorted(changed, key=lambda c: c.customer_id)


def day_batches(day: date) -> tuple[str, str]:
    return f"{day.isoformat()}-pos", f"{day.isoformat()}-web"


def days_from(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]


def describe(landing: Landing) -> str:
    s = landing.ledger.summary()
    orders = s["orders"]
    bad = sum(orders["quarantined"].values())
    files = sum(1 for k in landing.files if k.startswith("orders/"))
    return (
        f"{orders['landing_rows']:,} order rows in {files} files"
        f" ({orders['silver_rows']:,} distinct valid orders, {bad} invalid rows,"
        f" {orders['duplicates']} duplicates or older versions),"
        f" {s['customers']['landing_rows']:,} customer rows, {s['products']['landing_rows']:,}"
        " product rows"
    )


# --- the medallion lab's data -----------------------------------------------------------------
MEDALLION_START: Final = date(2026, 3, 2)
MEDALLION_DAYS: Final = 3


@dataclass(frozen=True)
class Volumes:
    customers: int
    products: int
    orders_per_day: int

    @classmethod
    def at(cls, factor: float) -> Volumes:
        return cls(
            customers=max(60, round(4000 * factor)),
            products=max(40, round(300 * factor)),
            orders_per_day=max(40, round(5000 * factor)),
        )


def medallion(seed: int, factor: float) -> Landing:
    """Three days of POS and web orders, the CRM extract (plus the last day's changes) and
    the product catalogue."""
    days = days_from(MEDALLION_START, MEDALLION_DAYS)
    vol = Volumes.at(factor)
    as_of = datetime.combine(days[0], datetime.min.time())
    world = make_world(seed, vol.customers, vol.products, as_of)
    # Store 7 lost its connection on the first day and uploads those sales on the second.
    offline = {days[0]: 7}
    # Orders from the evening before the first day arrive in the first web export.
    placed = [days[0] - timedelta(days=1), *days]
    histories = make_orders(world, placed, vol.orders_per_day, seed + 1)
    histories = [
        h for h in histories if h.first.order_ts.date() >= days[0] or h.first.channel == "web"
    ]
    exported = exports(histories, days, offline)
    rng = random.Random(seed + 2)
    out = Landing()
    first = days[0].isoformat()
    texts, fates = customer_file(world.customers, rng, 0.003, 0.004)
    out.add(CUSTOMERS, first, texts, fates)
    texts, fates = customer_file(customer_changes(world, days[-1], 0.02, rng), rng, 0.0, 0.0)
    out.add(CUSTOMERS, days[-1].isoformat(), texts, [VALID] * len(texts))
    texts, fates = product_file(world.products, rng, 0.004)
    out.add(PRODUCTS, first, texts, fates)
    for day in days:
        for channel, batch in zip(("pos", "web"), day_batches(day), strict=True):
            texts, fates = order_file(exported[(day, channel)], channel, rng, 0.003, 0.004)
            out.add(ORDERS, batch, texts, fates)
    return out
