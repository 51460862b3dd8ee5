"""Six business days of a retailer's sources for the failure drills (4-9 May 2026).

Each day the sources deliver, into landing:

- `orders/<day>-pos.csv` and `orders/<day>-web.csv`: the store and web-shop exports (with
  the usual mess, see `labs.medallion.generator`);
- on the first day, `customers/<day>.csv`: the CRM extract;
- `_control/<day>.json`: the control file the export job writes last, listing every file of
  the day and its row count. A pipeline that reads it knows what *should* have arrived.

The product catalogue is not a file: the job pulls it from the catalogue API each day
(`source.py` serves it) and lands it as `products/<day>.csv`. A few prices change on the
third day; new products launch on the sixth and sell the same day.

Days 1 and 2 are the baseline `lakelab lab start` lands. Each drill delivers one more day
with a fault (see `drills.py`); the undamaged version of every file stays in the source's
outbox (this module), so a file can be delivered again.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from lakelab_jobs.contract import CUSTOMERS, ORDERS, PRODUCTS

from labs.medallion.generator import (
    VALID,
    Landing,
    Product,
    Volumes,
    World,
    csv_bytes,
    customer_file,
    day_batches,
    exports,
    make_orders,
    make_world,
    order_file,
    product_text,
)

FIRST_DAY: Final = date(2026, 5, 4)
DAYS: Final = tuple(FIRST_DAY + timedelta(days=i) for i in range(6))
BASELINE: Final = DAYS[:2]
CONTROL_PREFIX: Final = "_control/"
# The schema change: the store systems start sending the store, after `channel`.
NEW_COLUMN: Final = "store_id"
SCHEMA_V2: Final = (*ORDERS.landing[:4], NEW_COLUMN, *ORDERS.landing[4:])


def control_key(day: date) -> str:
    return f"{CONTROL_PREFIX}{day.isoformat()}.json"


def products_key(day: date) -> str:
    return f"products/{day.isoformat()}.csv"


@dataclass(frozen=True)
class Source:
    """Everything the sources would ever deliver, in their undamaged form."""

    world: World
    launches: tuple[Product, ...]
    repriced: tuple[Product, ...]
    days: dict[date, Landing]  # per day: contract-format order (and CRM) files and ledger
    store_of: dict[str, int] = field(default_factory=dict)  # POS order id -> store number

    def files(self, day: date) -> dict[str, bytes]:
        return dict(self.days[day].files)

    def control(self, day: date) -> dict[str, Any]:
        landing = self.days[day]
        return {
            "day": day.isoformat(),
            "files": {k: landing.rows_in(k) for k in sorted(landing.files)},
            "catalogue": "catalogue API, as_of=" + day.isoformat(),
        }

    def control_bytes(self, day: date) -> bytes:
        return (json.dumps(self.control(day), indent=2) + "\n").encode()

    def catalogue(self, day: date) -> list[Product]:
        """The catalogue API's answer for `as_of=day`: every product on sale that day, at its
        price that day."""
        current = {p.product_id: p for p in self.world.products}
        cutoff = datetime.combine(day + timedelta(days=1), datetime.min.time())
        for p in (*self.repriced, *self.launches):
            if p.updated_at < cutoff:
                current[p.product_id] = p
        return sorted(current.values(), key=lambda p: p.product_id)

    def catalogue_csv(self, day: date) -> bytes:
        return csv_bytes(PRODUCTS.landing, (product_text(p) for p in self.catalogue(day)))

    def v2_files(self, day: date) -> dict[str, bytes]:
        """The day's order exports with the new `store_id` column (the schema change)."""
        out = {}
        for key, data in self.files(day).items():
            if not key.startswith("orders/"):
                continue
            rows = list(csv.DictReader(io.StringIO(data.decode())))
            for row in rows:
                store = self.store_of.get(row["order_id"].strip())
                row[NEW_COLUMN] = f"S{store:02d}" if store else "WEB"
            out[key] = csv_bytes(SCHEMA_V2, rows)
        return out

    def landing(self, days: list[date], catalogue_days: list[date]) -> Landing:
        """The delivered days' files (contract format) and the catalogues landed, with the
        ledger the checks grade against."""
        out = Landing()
        for day in days:
            out = out.merged(self.days[day])
        for day in catalogue_days:
            texts = [product_text(p) for p in self.catalogue(day)]
            out.add(PRODUCTS, day.isoformat(), texts, [VALID] * len(texts))
        return out


def source(seed: int, factor: float) -> Source:
    vol = Volumes.at(factor)
    as_of = datetime.combine(FIRST_DAY, datetime.min.time())
    world = make_world(seed + 20, vol.customers, vol.products, as_of)
    rng = random.Random(seed + 21)
    # Day 3: a few prices change. Day 6: new products launch and sell from the start.
    repriced = tuple(
        replace(
            p,
            list_price=(p.list_price * Decimal("1.1")).quantize(Decimal("0.01")),
            updated_at=datetime.combine(DAYS[2], datetime.min.time()) + timedelta(hours=6),
        )
        for p in rng.sample(world.products, max(2, len(world.products) // 30))
    )
    launch_at = datetime.combine(DAYS[5], datetime.min.time()) + timedelta(hours=6)
    launches = tuple(
        Product(
            product_id=f"SKU-{len(world.products) + n:05d}",
            name=f"{p.name} (new edition)",
            category=p.category,
            list_price=p.list_price,
            updated_at=launch_at,
        )
        for n, p in enumerate(rng.sample(world.products, max(2, len(world.products) // 20)), 1)
    )
    # The launch day's orders pick from the extended catalogue, with launches selling well.
    launched = replace(
        world,
        products=(*world.products, *launches),
        product_weights=(*world.product_weights, *([max(world.product_weights)] * len(launches))),
    )
    before = make_orders(
        world, [DAYS[0] - timedelta(days=1), *DAYS[:5]], vol.orders_per_day, seed + 22
    )
    web_seq = 1 + sum(1 for h in before if h.first.channel == "web")
    histories = [
        h for h in before if h.first.order_ts.date() >= DAYS[0] or h.first.channel == "web"
    ]
    histories += make_orders(launched, [DAYS[5]], vol.orders_per_day, seed + 23, web_seq)
    exported = exports(histories, list(DAYS), {DAYS[0]: 7})
    days: dict[date, Landing] = {}
    for day in DAYS:
        out = Landing()
        if day == DAYS[0]:
            texts, fates = customer_file(world.customers, rng, 0.003, 0.004)
            out.add(CUSTOMERS, day.isoformat(), texts, fates)
        for channel, batch in zip(("pos", "web"), day_batches(day), strict=True):
            # Day 5 is the duplicate-keys drill: the POS upload was retried and appended in
            # full, and the web feed re-sent a quarter of its orders as first placed.
            dup = {"pos": 1.0, "web": 0.25}[channel] if day == DAYS[4] else 0.004
            texts, fates = order_file(exported[(day, channel)], channel, rng, 0.003, dup)
            out.add(ORDERS, batch, texts, fates)
        days[day] = out
    store_of = {h.first.order_id: h.first.store for h in histories if h.first.store is not None}
    return Source(world, launches, repriced, days, store_of)
