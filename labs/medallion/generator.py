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

import csv
import io
import math
import os
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any, Final

from faker import Faker
from lakelab_jobs.contract import CUSTOMERS, ORDERS, PRODUCTS, REGIONS, Entity

SCALE_ENV: Final = "LAKELAB_LAB_SCALE"
VALID: Final = "VALID"

# Regions differ in size: the north has the most stores and customers.
REGION_WEIGHTS: Final = (0.32, 0.26, 0.24, 0.18)
# Product categories: example products and a list-price range in the shop currency.
CATEGORIES: Final[dict[str, tuple[tuple[str, ...], tuple[float, float]]]] = {
    "apparel": (("t-shirt", "hoodie", "jeans", "rain jacket", "wool socks", "sneakers"), (9, 140)),
    "electronics": (("earbuds", "charger", "smart speaker", "e-reader", "webcam"), (15, 420)),
    "home": (("desk lamp", "throw blanket", "picture frame", "candle set", "storage box"), (8, 95)),
    "kitchen": (
        ("chef knife", "coffee grinder", "frying pan", "teapot", "mixing bowls"),
        (10, 190),
    ),
    "outdoor": (("tent", "camping stove", "daypack", "water bottle", "headlamp"), (12, 380)),
    "toys": (("puzzle", "building blocks", "plush bear", "board game", "kite"), (6, 75)),
}
EMAIL_DOMAINS: Final = ("gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com")
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


# --- the world --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    email: str
    segment: str
    region: str
    status: str
    updated_at: datetime


@dataclass(frozen=True)
class Product:
    product_id: str
    name: str
    category: str
    list_price: Decimal
    updated_at: datetime


@dataclass(frozen=True)
class Store:
    number: int
    city: str
    region: str


@dataclass(frozen=True)
class Order:
    """One version of an order as its source system holds it."""

    order_id: str
    customer_id: str
    product_id: str
    channel: str
    region: str
    quantity: int
    unit_price: Decimal
    status: str
    order_ts: datetime
    updated_at: datetime
    store: int | None = None


@dataclass(frozen=True)
class World:
    customers: tuple[Customer, ...]
    products: tuple[Product, ...]
    stores: tuple[Store, ...]
    customer_weights: tuple[float, ...]
    product_weights: tuple[float, ...]


def _money(value: float) -> Decimal:
    """A shop price: whole currency units ending in .99 or .49."""
    whole = max(1, math.floor(value))
    return Decimal(f"{whole}.{'99' if whole % 3 else '49'}")


def make_world(
    seed: int, customers: int, products: int, as_of: datetime, stores: int = 16
) -> World:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    people: list[Customer] = []
    used: set[str] = set()
    for n in range(1, customers + 1):
        first, last = fake.first_name(), fake.last_name()
        handle = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
        email = f"{handle}@{rng.choice(EMAIL_DOMAINS)}"
        if email in used:
            email = f"{handle}{n}@{rng.choice(EMAIL_DOMAINS)}"
        used.add(email)
        people.append(
            Customer(
                customer_id=f"C{n:06d}",
                name=f"{first} {last}",
                email=email,
                segment="business" if rng.random() < 0.15 else "consumer",
                region=rng.choices(REGIONS, REGION_WEIGHTS)[0],
                status=rng.choices(("active", "suspended", "closed"), (0.93, 0.04, 0.03))[0],
                updated_at=as_of - timedelta(seconds=rng.randrange(86_400, 400 * 86_400)),
            )
        )
    brands = sorted({fake.last_name() for _ in range(40)})[:14]
    catalogue: list[Product] = []
    categories = sorted(CATEGORIES)
    for n in range(1, products + 1):
        category = categories[(n - 1) % len(categories)]
        nouns, (low, high) = CATEGORIES[category]
        price = math.exp(rng.uniform(math.log(low), math.log(high)))
        catalogue.append(
            Product(
                product_id=f"SKU-{n:05d}",
                name=f"{rng.choice(brands)} {rng.choice(nouns)}",
                category=category,
                list_price=_money(price),
                updated_at=as_of - timedelta(seconds=rng.randrange(86_400, 200 * 86_400)),
            )
        )
    # A few products and a few loyal customers account for much of the sales.
    order = list(range(products))
    rng.shuffle(order)
    product_weights = [0.0] * products
    for rank, index in enumerate(order):
        product_weights[index] = 1 / (rank + 1) ** 0.9
    customer_weights = [rng.paretovariate(1.6) for _ in range(customers)]
    shops = tuple(
        Store(n, fake.city(), REGIONS[(n - 1) % len(REGIONS)] if n > 4 else REGIONS[n - 1])
        for n in range(1, stores + 1)
    )
    return World(
        tuple(people), tuple(catalogue), shops, tuple(customer_weights), tuple(product_weights)
    )


# --- orders and their lifecycle ---------------------------------------------------------------
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


def make_orders(
    world: World, days: Sequence[date], per_day: int, seed: int, first_web: int = 1
) -> list[History]:
    """Orders placed on `days` (POS about 60%, web 40%), each with its lifecycle."""
    rng = random.Random(seed)
    histories: list[History] = []
    web_seq = first_web
    pos_seq: Counter[int] = Counter()
    store_weights = list(accumulate(1.6 if s.number <= 4 else 1.0 for s in world.stores))
    products = list(accumulate(world.product_weights))
    everyone = list(accumulate(world.customer_weights))
    # Store customers mostly live in the store's region.
    local: dict[str, tuple[list[Customer], list[float]]] = {}
    for region in REGIONS:
        people = [c for c in world.customers if c.region == region] or list(world.customers)
        weights = [
            w
            for c, w in zip(world.customers, world.customer_weights, strict=True)
            if c.region == region
        ] or list(world.customer_weights)
        local[region] = (people, list(accumulate(weights)))
    for day in days:
        n = max(8, round(per_day * WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.92, 1.08)))
        for _ in range(n):
            product = rng.choices(world.products, cum_weights=products)[0]
            if rng.random() < 0.6:
                store = rng.choices(world.stores, cum_weights=store_weights)[0]
                if rng.random() < 0.8:
                    people, cum = local[store.region]
                    customer = rng.choices(people, cum_weights=cum)[0]
                else:
                    customer = rng.choices(world.customers, cum_weights=everyone)[0]
                pos_seq[store.number] += 1
                ts = _at(day, POS_HOURS, rng)
                order = Order(
                    order_id=f"POS-{store.number:02d}-{day:%y%m%d}-{pos_seq[store.number]:04d}",
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
            else:
                customer = rng.choices(world.customers, cum_weights=everyone)[0]
                ts = _at(day, WEB_HOURS, rng)
                order = Order(
                    order_id=f"WEB-{web_seq:07d}",
                    customer_id=customer.customer_id,
                    product_id=product.product_id,
                    channel="web",
                    region=customer.region,  # shipped to the customer's home region
                    quantity=rng.choices((1, 2, 3, 4, 5, 6), (0.6, 0.25, 0.08, 0.04, 0.02, 0.01))[
                        0
                    ],
                    unit_price=_discounted(product.list_price, rng),
                    status="placed",
                    order_ts=ts,
                    updated_at=ts,
                )
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


# --- landing text ---------------------------------------------------------------------------
def _ts(t: datetime, iso_z: bool = False) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ") if iso_z else t.strftime("%Y-%m-%d %H:%M:%S")


def order_text(o: Order) -> dict[str, str]:
    web = o.channel == "web"  # the web shop exports ISO-8601 UTC timestamps
    return {
        "order_id": o.order_id,
        "customer_id": o.customer_id,
        "product_id": o.product_id,
        "channel": o.channel,
        "region": o.region,
        "quantity": str(o.quantity),
        "unit_price": f"{o.unit_price:.2f}",
        "status": o.status,
        "order_ts": _ts(o.order_ts, web),
        "updated_at": _ts(o.updated_at, web),
    }


def customer_text(c: Customer) -> dict[str, str]:
    return {
        "customer_id": c.customer_id,
        "name": c.name,
        "email": c.email,
        "segment": c.segment,
        "region": c.region,
        "status": c.status,
        "updated_at": _ts(c.updated_at),
    }


def product_text(p: Product) -> dict[str, str]:
    return {
        "product_id": p.product_id,
        "name": p.name,
        "category": p.category,
        "list_price": f"{p.list_price:.2f}",
        "updated_at": _ts(p.updated_at),
    }


# --- mess -------------------------------------------------------------------------------------
Maker = Callable[[dict[str, str]], str]


@dataclass(frozen=True)
class Mess:
    """One kind of fault: which column it spoils, how, and the fate silver must give it."""

    kind: str
    column: str
    make: Maker
    fate: str = VALID


def _us_time(row: dict[str, str]) -> str:
    t = datetime.fromisoformat(row["order_ts"].rstrip("Z"))
    return t.strftime("%m/%d/%Y %H:%M")


def _skewed(row: dict[str, str]) -> str:
    t = datetime.fromisoformat(row["order_ts"].rstrip("Z")) - timedelta(minutes=47)
    return _ts(t, row["order_ts"].endswith("Z"))


POS_MESS: Final = (
    Mess("upper-case channel", "channel", lambda r: r["channel"].upper()),
    Mess("padded, title-case region", "region", lambda r: f" {r['region'].title()} "),
    Mess("padded customer id", "customer_id", lambda r: f"  {r['customer_id']}"),
    Mess("blank product id (scanner)", "product_id", lambda r: "", "MISSING_REQUIRED"),
    Mess(
        "decimal comma",
        "unit_price",
        lambda r: r["unit_price"].replace(".", ","),
        "MALFORMED_NUMBER",
    ),
    Mess("US-style timestamp", "order_ts", _us_time, "MALFORMED_TIMESTAMP"),
    Mess("return keyed as a negative sale", "quantity", lambda r: "-1", "OUT_OF_RANGE"),
)
WEB_MESS: Final = (
    Mess("title-case status", "status", lambda r: r["status"].title()),
    Mess("upper-case channel", "channel", lambda r: f"{r['channel'].upper()} "),
    Mess("guest checkout without customer id", "customer_id", lambda r: "", "MISSING_REQUIRED"),
    Mess("quantity as a decimal", "quantity", lambda r: f"{r['quantity']}.0", "MALFORMED_NUMBER"),
    Mess("status outside the contract", "status", lambda r: "backordered", "INVALID_ENUM"),
    Mess("clock skew: updated before placed", "updated_at", _skewed, "OUT_OF_RANGE"),
)
CUSTOMER_MESS: Final = (
    Mess("upper-case name", "name", lambda r: r["name"].upper()),
    Mess("padded name", "name", lambda r: f"  {r['name']} "),
    Mess("upper-case email", "email", lambda r: r["email"].upper()),
    Mess("title-case segment", "segment", lambda r: r["segment"].title()),
    Mess("title-case region", "region", lambda r: r["region"].title()),
    Mess("email without @", "email", lambda r: r["email"].replace("@", " at "), "INVALID_EMAIL"),
    Mess(
        "email without domain suffix",
        "email",
        lambda r: r["email"].rsplit(".", 1)[0],
        "INVALID_EMAIL",
    ),
    Mess("blank email", "email", lambda r: "", "MISSING_REQUIRED"),
    Mess("segment outside the contract", "segment", lambda r: "vip", "INVALID_ENUM"),
)
PRODUCT_MESS: Final = (
    Mess("padded name", "name", lambda r: f" {r['name']}  "),
    Mess(
        "decimal comma price",
        "list_price",
        lambda r: r["list_price"].replace(".", ","),
        "MALFORMED_NUMBER",
    ),
)


# --- the ledger -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Landed:
    """One landing row: its batch, business key, fate and text as landed."""

    batch: str
    key: str
    fate: str
    text: tuple[tuple[str, str], ...]

    @property
    def values(self) -> dict[str, str]:
        return dict(self.text)


def _norm(value: str) -> str | None:
    # Silver trims spaces only (workloads/spark/lakelab_jobs/rules.py).
    text = value.strip(" ")
    return text or None


def _parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.rstrip("Z").replace("T", " "))


def silver_values(entity: Entity, text: dict[str, str]) -> dict[str, Any]:
    """The silver row a valid landing row becomes (as rules.py normalises it)."""
    v = {c: _norm(text[c]) for c in entity.landing}
    if entity is ORDERS:
        qty, price = int(v["quantity"] or 0), Decimal(v["unit_price"] or 0)
        order_ts = _parse_ts(v["order_ts"] or "")
        return {
            "order_id": v["order_id"],
            "customer_id": v["customer_id"],
            "product_id": v["product_id"],
            "channel": (v["channel"] or "").lower(),
            "region": (v["region"] or "").lower(),
            "quantity": qty,
            "unit_price": price,
            "amount": (qty * price).quantize(Decimal("0.01")),
            "status": (v["status"] or "").lower(),
            "order_ts": order_ts,
            "order_date": order_ts.date(),
            "updated_at": _parse_ts(v["updated_at"] or ""),
        }
    if entity is CUSTOMERS:
        return {
            "customer_id": v["customer_id"],
            "name": v["name"],
            "email": (v["email"] or "").lower(),
            "segment": (v["segment"] or "").lower(),
            "region": (v["region"] or "").lower(),
            "status": (v["status"] or "").lower(),
            "updated_at": _parse_ts(v["updated_at"] or ""),
        }
    return {
        "product_id": v["product_id"],
        "name": v["name"],
        "category": v["category"],
        "list_price": Decimal(v["list_price"] or 0),
        "updated_at": _parse_ts(v["updated_at"] or ""),
    }


@dataclass
class Ledger:
    """Every landed row with its fate; what silver, quarantine and gold must end up holding."""

    rows: dict[str, list[Landed]] = field(
        default_factory=lambda: {e.name: [] for e in (ORDERS, CUSTOMERS, PRODUCTS)}
    )

    def add(self, entity: Entity, batch: str, text: dict[str, str], fate: str) -> None:
        key = _norm(text[entity.key]) or ""
        self.rows[entity.name].append(
            Landed(batch, key, fate, tuple((c, text[c]) for c in entity.landing))
        )

    def only(self, batches: Iterable[str]) -> Ledger:
        keep = set(batches)
        out = Ledger()
        for name, rows in self.rows.items():
            out.rows[name] = [r for r in rows if r.batch in keep]
        return out

    def landing_rows(self, entity: str) -> int:
        return len(self.rows[entity])

    def quarantine(self, entity: str) -> dict[str, int]:
        counts = Counter(r.fate for r in self.rows[entity] if r.fate != VALID)
        return dict(sorted(counts.items()))

    def valid_rows(self, entity: str) -> int:
        return sum(r.fate == VALID for r in self.rows[entity])

    def silver(self, entity: Entity) -> dict[str, dict[str, Any]]:
        """Key -> the silver row: the valid version with the latest `updated_at`
        (ties: the later batch)."""
        best: dict[str, tuple[tuple[datetime, str], dict[str, Any]]] = {}
        for r in self.rows[entity.name]:
            if r.fate != VALID:
                continue
            values = silver_values(entity, r.values)
            rank = (values["updated_at"], r.batch)
            held = best.get(r.key)
            if held is None or held[0] < rank:
                best[r.key] = (rank, values)
        return {k: v for k, (_, v) in sorted(best.items())}

    def duplicates(self, entity: str) -> int:
        """Valid rows that lose to another version of their key (or repeat it)."""
        entity_obj = {"orders": ORDERS, "customers": CUSTOMERS, "products": PRODUCTS}[entity]
        return self.valid_rows(entity) - len(self.silver(entity_obj))

    def daily_sales(self) -> dict[tuple[str, str, str], tuple[int, int, Decimal]]:
        """(order_date, product_id, region) -> (orders, units, revenue), cancelled excluded."""
        sales: dict[tuple[str, str, str], tuple[int, int, Decimal]] = {}
        for row in self.silver(ORDERS).values():
            if row["status"] == "cancelled":
                continue
            key = (row["order_date"].isoformat(), row["product_id"], row["region"])
            orders, units, revenue = sales.get(key, (0, 0, Decimal("0.00")))
            sales[key] = (orders + 1, units + row["quantity"], revenue + row["amount"])
        return dict(sorted(sales.items()))

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for entity in (ORDERS, CUSTOMERS, PRODUCTS):
            out[entity.name] = {
                "landing_rows": self.landing_rows(entity.name),
                "silver_rows": len(self.silver(entity)),
                "quarantined": self.quarantine(entity.name),
                "duplicates": self.duplicates(entity.name),
            }
        return out


# --- writing files ----------------------------------------------------------------------------
def csv_bytes(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode()


def mess_count(rows: int, rate: float) -> int:
    """How many rows of a file get one kind of mess: at least one, when the rate is not 0."""
    return max(1, round(rows * rate)) if rows and rate > 0 else 0


def spoil(
    texts: list[dict[str, str]],
    kinds: Sequence[Mess],
    rng: random.Random,
    rate: float,
) -> list[str]:
    """Apply each kind of mess to its own rows (a row gets at most one); returns the fates."""
    fates = [VALID] * len(texts)
    free = list(range(len(texts)))
    rng.shuffle(free)
    for mess in kinds:
        for _ in range(mess_count(len(texts), rate)):
            if not free:
                break
            i = free.pop()
            texts[i] = {**texts[i], mess.column: mess.make(texts[i])}
            fates[i] = mess.fate
    return fates


@dataclass
class Landing:
    """Files for the landing layer (key -> bytes) and the ledger of their rows."""

    files: dict[str, bytes] = field(default_factory=dict)
    ledger: Ledger = field(default_factory=Ledger)

    def add(
        self,
        entity: Entity,
        batch: str,
        texts: list[dict[str, str]],
        fates: list[str],
        columns: Sequence[str] | None = None,
    ) -> None:
        for text, fate in zip(texts, fates, strict=True):
            self.ledger.add(entity, batch, text, fate)
        self.files[f"{entity.name}/{batch}.csv"] = csv_bytes(columns or entity.landing, texts)

    def rows_in(self, key: str) -> int:
        return self.files[key].count(b"\n") - 1

    def batches(self, entity: str) -> list[str]:
        return sorted(
            k.split("/", 1)[1].removesuffix(".csv")
            for k in self.files
            if k.startswith(f"{entity}/")
        )

    def merged(self, other: Landing) -> Landing:
        ledger = Ledger()
        for name in ledger.rows:
            ledger.rows[name] = [*self.ledger.rows[name], *other.ledger.rows[name]]
        return Landing({**self.files, **other.files}, ledger)


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
