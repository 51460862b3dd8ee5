"""The ledger: every landed row with its fate, and what silver, quarantine and gold must end
up holding; and `Landing`, the landing files with their ledger."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from lakelab_jobs.contract import CUSTOMERS, ORDERS, PRODUCTS, Entity

from labs.medallion.texts import csv_bytes

VALID: Final = "VALID"


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
