"""Orders and their lifecycle: volumes per weekday, lunch and evening peaks, a few products
that sell far more than the rest, discounts and status changes over time; and the exports
that carry each version (the web export closes at 23:00, an offline store uploads late)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Final

from lakelab_jobs.contract import REGIONS

from labs.medallion.world import Customer, Order, Product, Store, World

# Share of orders by hour of day (stores open 9-21; the web shop peaks in the evening).
POS_HOURS: Final = {
    h: w for h, w in zip(range(9, 21), (3, 4, 6, 9, 8, 5, 5, 6, 8, 9, 7, 4), strict=True)
}
WEB_HOURS: Final = dict(
    zip(
        range(24),
        (2, 1, 1, 1, 1, 1, 2, 3, 4, 4, 5, 5, 6, 6, 5, 5, 5, 6, 7, 9, 10, 10, 8, 5),
        strict=True,
    )
)
WEEKDAY_FACTOR: Final = (0.9, 0.95, 1.0, 1.05, 1.2, 1.35, 0.8)  # Monday .. Sunday
WEB_CUTOFF_HOUR: Final = 23  # the web shop's daily export closes at 23:00


@dataclass
class History:
    """Every version of one order, oldest first."""

    versions: list[Order]

    @property
    def first(self) -> Order:
        return self.versions[0]


def _at(day: date, hours: dict[int, int], rng: random.Random) -> datetime:
    hour = rng.choices(list(hours), list(hours.values()))[0]
    return datetime(day.year, day.month, day.day, hour) + timedelta(seconds=rng.randrange(3600))


def _lifecycle(order: Order, rng: random.Random) -> list[Order]:
    """The order's versions: its creation, then each status change."""
    versions = [order]
    t = order.order_ts
    if order.channel == "pos":
        if rng.random() < 0.04:  # brought back to a store
            versions.append(replace(order, status="returned", updated_at=t + _days(rng, 1, 9)))
        return versions
    if rng.random() < 0.06:  # cancelled before it ships
        versions.append(replace(order, status="cancelled", updated_at=t + _hours(rng, 0.5, 12)))
        return versions
    shipped = t + _hours(rng, 4, 30)
    delivered = shipped + _hours(rng, 20, 70)
    versions.append(replace(order, status="shipped", updated_at=shipped))
    versions.append(replace(order, status="delivered", updated_at=delivered))
    if rng.random() < 0.05:
        versions.append(replace(order, status="returned", updated_at=delivered + _days(rng, 2, 9)))
    return versions


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=round(rng.uniform(low, high) * 3600))


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high), seconds=rng.randrange(3600, 8 * 3600))


def _discounted(price: Decimal, rng: random.Random) -> Decimal:
    off = rng.choices((0, 10, 20), (0.75, 0.15, 0.10))[0]
    return (price * (100 - off) / 100).quantize(Decimal("0.01"))


class _Draw:
    """Draws the parts of an order from the world with the orders' one random stream."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world, self.rng = world, rng
        self.store_weights = list(accumulate(1.6 if s.number <= 4 else 1.0 for s in world.stores))
        self.product_weights = list(accumulate(world.product_weights))
        self.everyone = list(accumulate(world.customer_weights))
        # Store customers mostly live in the store's region.
        self.local: dict[str, tuple[list[Customer], list[float]]] = {}
        for region in REGIONS:
            people = [c for c in world.customers if c.region == region] or list(world.customers)
            weights = [
                w
                for c, w in zip(world.customers, world.customer_weights, strict=True)
                if c.region == region
            ] or list(world.customer_weights)
            self.local[region] = (people, list(accumulate(weights)))

    def product(self) -> Product:
        return self.rng.choices(self.world.products, cum_weights=self.product_weights)[0]

    def store(self) -> Store:
        return self.rng.choices(self.world.stores, cum_weights=self.store_weights)[0]

    def customer(self) -> Customer:
        return self.rng.choices(self.world.customers, cum_weights=self.everyone)[0]

    def local_customer(self, region: str) -> Customer:
        people, cum = self.local[region]
        return self.rng.choices(people, cum_weights=cum)[0]


def _pos_order(draw: _Draw, day: date, product: Product, seq: Counter[int]) -> Order:
    rng = draw.rng
    store = draw.store()
    customer = draw.local_customer(store.region) if rng.random() < 0.8 else draw.customer()
    seq[store.number] += 1
    ts = _at(day, POS_HOURS, rng)
    return Order(
        order_id=f"POS-{store.number:02d}-{day:%y%m%d}-{seq[store.number]:04d}",
        customer_id=customer.customer_id,
        product_id=product.product_id,
        channel="pos",
        region=store.region,
        quantity=rng.choices((1, 2, 3, 4), (0.7, 0.2, 0.07, 0.03))[0],
        unit_price=_discounted(product.list_price, rng),
        status="delivered",
        order_ts=ts,
        updated_at=ts,
        store=store.number,
    )


def _web_order(draw: _Draw, day: date, product: Product, number: int) -> Order:
    rng = draw.rng
    customer = draw.customer()
    ts = _at(day, WEB_HOURS, rng)
    return Order(
        order_id=f"WEB-{number:07d}",
        customer_id=customer.customer_id,
        product_id=product.product_id,
        channel="web",
        region=customer.region,  # shipped to the customer's home region
        quantity=rng.choices((1, 2, 3, 4, 5, 6), (0.6, 0.25, 0.08, 0.04, 0.02, 0.01))[0],
        unit_price=_discounted(product.list_price, rng),
        status="placed",
        order_ts=ts,
        updated_at=ts,
    )


def make_orders(
    world: World, days: Sequence[date], per_day: int, seed: int, first_web: int = 1
) -> list[History]:
    """Orders placed on `days` (POS about 60%, web 40%), each with its lifecycle."""
    rng = random.Random(seed)
    draw = _Draw(world, rng)
    histories: list[History] = []
    web_seq = first_web
    pos_seq: Counter[int] = Counter()
    for day in days:
        n = max(8, round(per_day * WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.92, 1.08)))
        for _ in range(n):
            product = draw.product()
            if rng.random() < 0.6:
                order = _pos_order(draw, day, product, pos_seq)
            else:
                order = _web_order(draw, day, product, web_seq)
                web_seq += 1
            histories.append(History(_lifecycle(order, rng)))
    return histories


def export_day(order: Order, offline: dict[date, int]) -> date:
    """The day whose export first carries this version."""
    t = order.updated_at
    if order.channel == "web":
        closes = datetime(t.year, t.month, t.day, WEB_CUTOFF_HOUR)
        return t.date() if t < closes else t.date() + timedelta(days=1)
    day = t.date()
    if order.store is not None and offline.get(day) == order.store:
        return day + timedelta(days=1)  # the store was offline: uploaded the next day
    return day


def exports(
    histories: Iterable[History],
    days: Sequence[date],
    offline: dict[date, int],
    closed_early: dict[date, datetime] | None = None,
) -> dict[tuple[date, str], list[Order]]:
    """(export day, channel) -> the latest version of each order that changed in the window.
    `closed_early` cuts a day's exports short: changes from that moment on are not in them."""
    wanted = set(days)
    early = closed_early or {}
    latest: dict[tuple[date, str], dict[str, Order]] = {
        (d, c): {} for d in days for c in ("pos", "web")
    }
    for history in histories:
        for version in history.versions:
            day = export_day(version, offline)
            if day not in wanted or (day in early and version.updated_at >= early[day]):
                continue
            bucket = latest[(day, version.channel)]
            held = bucket.get(version.order_id)
            if held is None or held.updated_at <= version.updated_at:
                bucket[version.order_id] = version
    return {
        k: sorted(v.values(), key=lambda o: (o.updated_at, o.order_id)) for k, v in latest.items()
    }
