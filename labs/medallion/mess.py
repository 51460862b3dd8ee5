"""The mess added to landing files: one kind of fault per row, each with the fate silver
must give it (VALID where silver's normalisation fixes it)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from labs.medallion.ledger import VALID
from labs.medallion.texts import ts_text

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
    return ts_text(t, row["order_ts"].endswith("Z"))


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
