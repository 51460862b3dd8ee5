"""The two sources of the ingest-and-land lab, generated deterministically from the lab's seed.

Northfield Outdoor sells through eight stores and a web shop:

- the stores' till system exports March's sales as one CSV file (`store_sales_2026-03.csv`),
  published on a file server next to a `.sha256` file;
- the web shop exposes its orders through a paginated REST API (100 orders a page).

Both carry the mess real sources carry: inconsistent casing and stray whitespace in codes and
statuses, invalid e-mail addresses, notes with commas, quotes and line breaks, rows sent twice,
and records that arrive late (February sales in the March file, February orders updated in
March). Landing keeps all of it as received; the lab is about getting it in safely.

The same seed gives the same bytes on every machine: Faker and `random.Random` are seeded, and
nothing depends on the clock.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from faker import Faker

EXTRACT_DATE = "2026-03-31"
CSV_NAME = "store_sales_2026-03.csv"
PAGE_SIZE = 100
WEB_ORDERS = 2350
STORE_SALES = 6000
CUSTOMERS = 1500

STORES = {  # code -> (city, share of sales)
    "LDN-01": ("London Covent Garden", 0.22),
    "LDN-02": ("London Canary Wharf", 0.14),
    "MAN-01": ("Manchester", 0.15),
    "EDI-01": ("Edinburgh", 0.12),
    "BRS-01": ("Bristol", 0.10),
    "LDS-01": ("Leeds", 0.10),
    "GLA-01": ("Glasgow", 0.09),
    "CDF-01": ("Cardiff", 0.08),
}

# (category, item names, price range in GBP)
CATALOGUE_PARTS: tuple[tuple[str, tuple[str, ...], tuple[float, float]], ...] = (
    ("footwear", ("Trail Runner", "Fell Boot", "Approach Shoe", "Hiking Sandal"), (55, 180)),
    ("jackets", ("Storm Shell", "Down Parka", "Fleece Midlayer", "Softshell"), (45, 320)),
    ("camping", ("Two-Person Tent", "Sleeping Bag", "Camp Stove", "Sleeping Mat"), (25, 400)),
    ("climbing", ("Harness", "Chalk Bag", "Belay Device", "Quickdraw Set"), (12, 140)),
    ("accessories", ("Merino Socks", "Beanie", "Head Torch", "Water Bottle"), (8, 45)),
)
VARIANTS = ("Classic", "Pro", "Lite")

SALE_NOTES = (
    "Gift wrap, please",
    'Customer asked for "extra" receipt',
    "Exchange for size 9,\nold pair returned",
    "Price match, manager approved",
    "Loyalty points added later",
)
WEB_STATUSES = ("paid", "shipped", "delivered", "cancelled", "refunded")
WEB_STATUS_WEIGHTS = (0.12, 0.18, 0.58, 0.07, 0.05)
INVALID_EMAILS = ("n/a", "none", "{user}@", "{user}.gmail.com", "{user} at outlook dot com", "")
DOMAINS = (
    ("gmail.com", 0.34),
    ("outlook.com", 0.16),
    ("hotmail.co.uk", 0.14),
    ("yahoo.co.uk", 0.09),
    ("icloud.com", 0.11),
    ("btinternet.com", 0.06),
    ("sky.com", 0.04),
    ("protonmail.com", 0.06),
)


@dataclass(frozen=True)
class FaultPlan:
    """How the web-orders API misbehaves, page by page. Faults repeat for every run: after a
    page is served successfully its counter starts again, so each run meets the same faults."""

    throttled: frozenset[int]  # 429 with Retry-After on the first request
    flaky: dict[int, int]  # page -> 500s before the page is served
    outage: tuple[int, ...]  # 503 on every request: the maintenance window
    outage_window: str
    csv_truncated_first: bool = True  # the first CSV download is cut short (HTTP 200)

    def as_dict(self) -> dict[str, Any]:
        return {
            "throttled": sorted(self.throttled),
            "flaky": {str(k): v for k, v in sorted(self.flaky.items())},
            "outage": list(self.outage),
            "outage_window": self.outage_window,
            "csv_truncated_first": self.csv_truncated_first,
        }


@dataclass(frozen=True)
class ShopSource:
    csv_bytes: bytes
    csv_rows: int  # records, as a CSV parser counts them (some notes hold line breaks)
    orders: list[dict[str, Any]]  # as served, in page order, duplicates included
    pages: list[bytes]  # the JSON body of each page (page n is pages[n - 1])
    faults: FaultPlan
    product_skus: tuple[str, ...] = field(default=())

    @property
    def total_pages(self) -> int:
        return len(self.pages)

    @property
    def total_rows(self) -> int:
        return len(self.orders)

    @property
    def csv_sha256(self) -> str:
        return hashlib.sha256(self.csv_bytes).hexdigest()

    def page_rows(self, page: int) -> int:
        return len(self.orders[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])

    def page_orders(self, page: int) -> list[dict[str, Any]]:
        return self.orders[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]

    def duplicate_order_ids(self, pages: set[int] | None = None) -> int:
        """Records whose order_id was already seen on the given pages (default: all)."""
        wanted = set(range(1, self.total_pages + 1)) if pages is None else pages
        ids = [o["order_id"] for p in sorted(wanted) for o in self.page_orders(p)]
        return len(ids) - len(set(ids))


def page_body(orders: list[dict[str, Any]], page: int, total: int, total_pages: int) -> bytes:
    doc = {
        "data": orders,
        "page": page,
        "per_page": PAGE_SIZE,
        "total": total,
        "total_pages": total_pages,
        "next_page": page + 1 if page < total_pages else None,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _catalogue(rng: random.Random) -> list[tuple[str, str, float]]:
    items: list[tuple[str, str, float]] = []
    for c, (category, names, (low, high)) in enumerate(CATALOGUE_PARTS):
        for n, name in enumerate(names):
            for v, variant in enumerate(VARIANTS):
                sku = f"NO-{c + 1}{n + 1}{v + 1}-{category[:3].upper()}"
                price = round(rng.uniform(low, high) / 5) * 5 - 0.01
                items.append((sku, f"{name} {variant}", max(price, 4.99)))
    return items


def _customers(fake: Faker, rng: random.Random) -> list[dict[str, str]]:
    people: list[dict[str, str]] = []
    seen: set[str] = set()
    while len(people) < CUSTOMERS:
        first, last = fake.first_name(), fake.last_name()
        user = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        if rng.random() < 0.35:
            user += str(rng.randint(1, 99))
        email = f"{user}@{_weighted(rng, DOMAINS)}"
        if email in seen:
            continue
        seen.add(email)
        people.append(
            {"id": f"CU-{len(people) + 1:05d}", "name": f"{first} {last}", "email": email}
        )
    return people


def _messy_email(rng: random.Random, email: str) -> str:
    roll = rng.random()
    if roll < 0.03:
        user = email.split("@")[0]
        return rng.choice(INVALID_EMAILS).format(user=user)
    if roll < 0.10:
        return email.upper() if rng.random() < 0.5 else email.capitalize()
    if roll < 0.15:
        return f" {email} " if rng.random() < 0.5 else f"{email}  "
    return email


def _messy_code(rng: random.Random, code: str) -> str:
    roll = rng.random()
    if roll < 0.05:
        return code.lower()
    if roll < 0.08:
        return f" {code}"
    if roll < 0.10:
        return code.replace("-", "")
    return code


def _sale_time(rng: random.Random, day: datetime) -> datetime:
    # Trade peaks at lunchtime and late afternoon; stores open 09:00-19:00.
    hour = min(18, max(9, int(rng.gauss(14, 2.6))))
    return day + timedelta(hours=hour, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))


def _store_sales(
    rng: random.Random, catalogue: list[tuple[str, str, float]], people: list[dict[str, str]]
) -> tuple[bytes, int]:
    march = [datetime(2026, 3, 1) + timedelta(days=d) for d in range(31)]
    day_weights = [1.6 if d.weekday() >= 5 else 1.0 for d in march]
    stores = tuple((code, share) for code, (_, share) in STORES.items())
    popular = [1.0 / (i + 1) ** 0.6 for i in range(len(catalogue))]
    rows: list[list[str]] = []
    for n in range(1, STORE_SALES + 1):
        if rng.random() < 0.008:  # a till that synced late: February sales in March's file
            day = datetime(2026, 2, rng.randint(20, 28))
        else:
            day = rng.choices(march, weights=day_weights)[0]
        sku, product, price = rng.choices(catalogue, weights=popular)[0]
        if rng.random() < 0.07:
            price = round(price * 0.8, 2)  # promotion
        qty = 1 if rng.random() < 0.8 else rng.choice((2, 2, 3, 4))
        email = ""
        if rng.random() < 0.45:  # loyalty card scanned
            email = _messy_email(rng, rng.choice(people)["email"])
        product_text = product if rng.random() > 0.04 else f"  {product.upper()} "
        note = rng.choice(SALE_NOTES) if rng.random() < 0.015 else ""
        row = [
            f"S-2603-{n:06d}",
            _sale_time(rng, day).strftime("%Y-%m-%d %H:%M:%S"),
            _messy_code(rng, _weighted(rng, stores)),
            sku,
            product_text,
            str(qty),
            f"{price:.2f}",
            "GBP",
            email,
            note,
        ]
        rows.append(row)
        if rng.random() < 0.01:  # the till sent the line twice
            rows.append(list(row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "sale_id",
            "sold_at",
            "store_code",
            "sku",
            "product_name",
            "quantity",
            "unit_price",
            "currency",
            "customer_email",
            "note",
        ]
    )
    writer.writerows(rows)
    return out.getvalue().encode(), len(rows)


def _web_orders(
    rng: random.Random, catalogue: list[tuple[str, str, float]], people: list[dict[str, str]]
) -> list[dict[str, Any]]:
    start = datetime(2026, 3, 1)
    orders: list[dict[str, Any]] = []
    repeats: list[dict[str, Any]] = []
    countries = (("GB", 0.86), ("IE", 0.06), ("FR", 0.03), ("DE", 0.03), ("NL", 0.02))
    for n in range(WEB_ORDERS):
        late = rng.random() < 0.02  # ordered in February, updated in March
        if late:
            created = datetime(2026, 2, rng.randint(15, 28), rng.randint(0, 23), rng.randint(0, 59))
        else:
            created = start + timedelta(minutes=int(n * (30 * 24 * 60) / WEB_ORDERS))
            created += timedelta(minutes=rng.randint(0, 20))
        updated = created + timedelta(hours=rng.randint(1, 96))
        if late:
            updated = datetime(2026, 3, rng.randint(1, 5), rng.randint(0, 23), rng.randint(0, 59))
        status = rng.choices(WEB_STATUSES, weights=WEB_STATUS_WEIGHTS)[0]
        if rng.random() < 0.12:
            status = status.upper() if rng.random() < 0.5 else status.capitalize()
        if rng.random() < 0.03:
            status = f"{status} "
        person = rng.choice(people)
        lines = [
            (sku, 1 if rng.random() < 0.85 else 2, round(price, 2))
            for sku, _name, price in rng.sample(catalogue, k=rng.choice((1, 1, 1, 2, 2, 3)))
        ]
        items = [{"sku": s, "quantity": q, "unit_price": u} for s, q, u in lines]
        total = round(sum(q * u for _, q, u in lines), 2)
        order = {
            "order_id": f"W-{100001 + n}",
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": min(updated, datetime(2026, 3, 31, 23, 0)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": status,
            "customer": {
                "id": person["id"],
                "name": person["name"] if rng.random() > 0.05 else f" {person['name'].lower()}",
                "email": _messy_email(rng, person["email"]),
            },
            "ship_to_country": _weighted(rng, countries),
            "items": items,
            "total": total,
            "currency": "GBP",
        }
        orders.append(order)
        # An order updated while the export paginates shows up again on a later page.
        if rng.random() < 0.015:
            again = json.loads(json.dumps(order))
            again["status"] = "delivered"
            again["updated_at"] = "2026-03-31T23:30:00Z"
            repeats.append(again)
    # Each re-appearance lands 150-600 records (two to six pages) after the first copy.
    for again in repeats:
        pos = next(i for i, o in enumerate(orders) if o["order_id"] == again["order_id"])
        orders.insert(min(len(orders), pos + rng.randint(150, 600)), again)
    return orders


def _fault_plan(rng: random.Random, total_pages: int) -> FaultPlan:
    first_outage = rng.randint(total_pages // 2, total_pages - 5)
    outage = tuple(range(first_outage, first_outage + 3))
    others = [p for p in range(2, total_pages + 1) if p not in outage]
    picked = rng.sample(others, k=6)
    throttled = frozenset(picked[:2])
    flaky = {p: (1 if i % 2 else 2) for i, p in enumerate(sorted(picked[2:]))}
    return FaultPlan(
        throttled=throttled,
        flaky=flaky,
        outage=outage,
        outage_window=f"{EXTRACT_DATE}T02:00:00Z/{EXTRACT_DATE}T04:00:00Z",
    )


@functools.lru_cache(maxsize=2)
def generate(seed: int) -> ShopSource:
    """Both sources and the fault plan for one seed (cached: treat the result as read-only)."""
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    catalogue = _catalogue(rng)
    people = _customers(fake, rng)
    csv_bytes, csv_rows = _store_sales(rng, catalogue, people)
    orders = _web_orders(rng, catalogue, people)
    total_pages = -(-len(orders) // PAGE_SIZE)
    pages = [
        page_body(orders[(p - 1) * PAGE_SIZE : p * PAGE_SIZE], p, len(orders), total_pages)
        for p in range(1, total_pages + 1)
    ]
    return ShopSource(
        csv_bytes=csv_bytes,
        csv_rows=csv_rows,
        orders=orders,
        pages=pages,
        faults=_fault_plan(rng, total_pages),
        product_skus=tuple(sku for sku, _, _ in catalogue),
    )


def api_token(seed: int, stack: str) -> str:
    """The learner's bearer token for the web-orders API (stable per stack)."""
    return "nfo_" + hashlib.sha256(f"{seed}:{stack}:web-orders".encode()).hexdigest()[:32]
