"""The landing text of each record, in the data contract's format, and CSV bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from labs.medallion.world import Customer, Order, Product


def ts_text(t: datetime, iso_z: bool = False) -> str:
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
        "order_ts": ts_text(o.order_ts, web),
        "updated_at": ts_text(o.updated_at, web),
    }


def customer_text(c: Customer) -> dict[str, str]:
    return {
        "customer_id": c.customer_id,
        "name": c.name,
        "email": c.email,
        "segment": c.segment,
        "region": c.region,
        "status": c.status,
        "updated_at": ts_text(c.updated_at),
    }


def product_text(p: Product) -> dict[str, str]:
    return {
        "product_id": p.product_id,
        "name": p.name,
        "category": p.category,
        "list_price": f"{p.list_price:.2f}",
        "updated_at": ts_text(p.updated_at),
    }


def csv_bytes(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode()
