"""The medallion labs' world: customers with names, emails, segments and home regions, a
product catalogue with category price ranges, stores spread over the four regions, and the
order record the sources hold (Faker, fixed seed: the same seed gives the same world)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from faker import Faker
from lakelab_jobs.contract import REGIONS

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
