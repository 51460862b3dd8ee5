"""Deterministic synthetic landing data: orders, customers and products CSVs, plus a batch of
changed orders for incremental runs.

Columns are built with numpy and pyarrow compute (no per-row Python), so a million orders
take a few seconds. The same `SyntheticSpec` always gives the same bytes.

The base batch carries a small share of realistic problems (blank required fields, malformed
numbers and timestamps, unknown codes, implausible values, padded or upper-case codes,
exact and older duplicates), so every silver rule runs at scale too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from lakelab_jobs.contract import CUSTOMERS, ORDERS, PRODUCTS, Entity

BASE_BATCH: Final = "batch-0001"
CHANGES_BATCH: Final = "batch-0002"

_HOUR: Final = 3600
_DAY: Final = 86400

_FIRST: Final = (
    "ana", "ben", "chloe", "dev", "eva", "finn", "grace", "hugo", "ines", "jonas", "kim", "leo",
    "mia", "noah", "olga", "paul", "quinn", "rosa", "sam", "tara", "uma", "victor", "wen", "yara",
)  # fmt: skip
_LAST: Final = (
    "adams", "berg", "costa", "dubois", "evans", "fischer", "garcia", "hansen", "ito", "jensen",
    "khan", "lopez", "meyer", "nowak", "okafor", "peters", "rossi", "silva", "tanaka", "weber",
)  # fmt: skip
_ADJECTIVES: Final = ("basic", "classic", "deluxe", "eco", "mini", "pro", "smart", "ultra")
_NOUNS: Final = ("bag", "bottle", "chair", "desk", "lamp", "mug", "shirt", "shoe", "speaker")
_CATEGORIES: Final = ("apparel", "electronics", "furniture", "home", "kitchen", "outdoor")


@dataclass(frozen=True)
class SyntheticSpec:
    """What to generate. Customers default to one per 20 orders (at least 50)."""

    orders: int
    customers: int | None = None
    products: int = 500
    seed: int = 20240101
    start: str = "2024-01-01"
    days: int = 365
    # Shares of base orders that get an injected problem / an extra duplicate row.
    dirty_rate: float = 0.002
    duplicate_rate: float = 0.002

    @property
    def n_customers(self) -> int:
        return self.customers if self.customers is not None else max(50, self.orders // 20)

    @property
    def start_epoch(self) -> int:
        return int(datetime.fromisoformat(self.start).replace(tzinfo=UTC).timestamp())

    @property
    def end_epoch(self) -> int:
        return self.start_epoch + self.days * _DAY


@dataclass(frozen=True)
class _Orders:
    """Clean base orders as numbers; text is made only when writing."""

    customer: np.ndarray
    product: np.ndarray
    channel: np.ndarray
    region: np.ndarray
    quantity: np.ndarray
    price_cents: np.ndarray
    status: np.ndarray
    order_ts: np.ndarray
    updated_at: np.ndarray


_CHANNELS: Final = np.array(["pos", "web"])
_REGIONS: Final = np.array(["north", "south", "east", "west"])
_STATUSES: Final = np.array(["placed", "shipped", "delivered", "cancelled", "returned"])


# --- text helpers (vectorised) ---------------------------------------------------------------
def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _money(cents: np.ndarray) -> pa.Array:
    cents = cents.astype(np.int64)
    whole = pc.cast(pa.array(cents // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(cents % 100), pa.string()), 2, "0")
    return pc.binary_join_element_wise(whole, frac, ".")


def _timestamps(seconds: np.ndarray) -> pa.Array:
    # Arrow renders timestamp[s] as `YYYY-MM-DD HH:MM:SS`, far faster than strftime.
    return pc.cast(pa.array(seconds.astype("datetime64[s]"), pa.timestamp("s")), pa.string())


def _text(values: np.ndarray) -> pa.Array:
    if values.dtype.kind in "iu":
        return pc.cast(pa.array(values), pa.string())
    return pa.array(values.astype(str), pa.string())


def _coded(codes: np.ndarray, labels: np.ndarray) -> pa.Array:
    """Labels picked by integer codes, without building a million Python strings."""
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(labels)).cast(pa.string())


def _replace(column: pa.Array, rows: np.ndarray, values: list[str | None]) -> pa.Array:
    """`column` with `rows` (ascending positions) set to `values`."""
    if len(rows) == 0:
        return column
    mask = np.zeros(len(column), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(column, pa.array(mask), pa.array(values, pa.string()))


def _write(landing: Path, entity: Entity, batch: str, table: pa.Table) -> Path:
    path = landing / entity.name / f"{batch}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(
        table.select(list(entity.landing)),
        path,
        write_options=pacsv.WriteOptions(quoting_style="needed", quoting_header="none"),
    )
    return path


# --- base entities ---------------------------------------------------------------------------
def _list_prices(spec: SyntheticSpec) -> np.ndarray:
    rng = np.random.default_rng([spec.seed, 1])
    return rng.integers(199, 49_999, size=spec.products)


def _base_orders(spec: SyntheticSpec) -> _Orders:
    rng = np.random.default_rng([spec.seed, 2])
    n = spec.orders
    # Order ids follow time, like a real sequence.
    order_ts = np.sort(rng.integers(spec.start_epoch, spec.end_epoch, size=n))
    # A few products sell far more than the rest.
    product = (rng.random(n) ** 2 * spec.products).astype(np.int64)
    discount = rng.choice(np.array([0, 5, 10, 20]), size=n, p=[0.7, 0.15, 0.1, 0.05])
    price_cents = _list_prices(spec)[product] * (100 - discount) // 100
    age = spec.end_epoch - order_ts
    settled = rng.choice(5, size=n, p=[0.02, 0.03, 0.80, 0.08, 0.07])
    fresh = rng.choice(5, size=n, p=[0.55, 0.35, 0.0, 0.10, 0.0])
    status = np.where(age < 3 * _DAY, fresh, settled)
    # At least an hour between order and last update, so an older version always exists.
    updated_at = np.minimum(order_ts + rng.integers(_HOUR, 5 * _DAY, size=n), spec.end_epoch - 1)
    updated_at = np.maximum(updated_at, order_ts + _HOUR)
    return _Orders(
        customer=rng.integers(0, spec.n_customers, size=n),
        product=product,
        channel=rng.choice(2, size=n, p=[0.6, 0.4]),
        region=rng.integers(0, 4, size=n),
        quantity=np.minimum(rng.geometric(0.5, size=n), 20),
        price_cents=price_cents,
        status=status,
        order_ts=order_ts,
        updated_at=updated_at,
    )


def _orders_table(
    ids: np.ndarray, o: _Orders, rows: np.ndarray, quantity: np.ndarray | None = None
) -> pa.Table:
    """Landing text for the orders at positions `rows` of `o`, with ids `ids`."""
    return pa.table(
        {
            "order_id": _ids("O", ids, 9),
            "customer_id": _ids("C", o.customer[rows], 7),
            "product_id": _ids("P", o.product[rows], 5),
            "channel": _coded(o.channel[rows], _CHANNELS),
            "region": _coded(o.region[rows], _REGIONS),
            "quantity": _text(o.quantity[rows] if quantity is None else quantity),
            "unit_price": _money(o.price_cents[rows]),
            "status": _coded(o.status[rows], _STATUSES),
            "order_ts": _timestamps(o.order_ts[rows]),
            "updated_at": _timestamps(o.updated_at[rows]),
        }
    )


# Injected order problems: (column, value maker). `None` means a blank field.
_ORDER_PROBLEMS: Final = (
    ("channel", lambda v: f" {v.upper()} "),  # padded, upper case: normalised, kept
    ("customer_id", lambda v: None),  # MISSING_REQUIRED
    ("quantity", lambda v: "two"),  # MALFORMED_NUMBER
    ("unit_price", lambda v: v.replace(".", ",")),  # MALFORMED_NUMBER
    ("order_ts", lambda v: v[:5] + "02-30" + v[10:]),  # MALFORMED_TIMESTAMP
    ("status", lambda v: "lost"),  # INVALID_ENUM
    ("quantity", lambda v: "0"),  # OUT_OF_RANGE
    ("region", lambda v: v.title()),  # capitalised: normalised, kept
)


def _inject(table: pa.Table, rows: np.ndarray, problems: tuple = _ORDER_PROBLEMS) -> pa.Table:
    """Give row `rows[i]` problem `i % len(problems)`."""
    for index, (column, make) in enumerate(problems):
        chosen = np.sort(rows[index :: len(problems)])
        if len(chosen) == 0:
            continue
        current = table.column(column).take(pa.array(chosen)).to_pylist()
        updated = _replace(
            table.column(column).combine_chunks(), chosen, [make(v) for v in current]
        )
        table = table.set_column(table.schema.get_field_index(column), column, updated)
    return table


def orders_base(spec: SyntheticSpec) -> pa.Table:
    """The base orders batch: every order once, plus injected problems and duplicates."""
    o = _base_orders(spec)
    n = spec.orders
    rows = np.arange(n)
    table = _orders_table(rows + 1, o, rows)
    rng = np.random.default_rng([spec.seed, 3])
    dirty = rng.choice(n, size=min(n, round(n * spec.dirty_rate)), replace=False)
    table = _inject(table, dirty)
    # Duplicates: half exact copies, half an older version (placed, updated at order time).
    dup = np.sort(rng.choice(n, size=min(n, round(n * spec.duplicate_rate)), replace=False))
    exact, older = dup[::2], dup[1::2]
    older_rows = _orders_table(older + 1, o, older)
    older_rows = older_rows.set_column(
        older_rows.schema.get_field_index("status"), "status", _text(np.full(len(older), "placed"))
    )
    older_rows = older_rows.set_column(
        older_rows.schema.get_field_index("updated_at"), "updated_at", older_rows["order_ts"]
    )
    return pa.concat_tables([table, table.take(pa.array(exact)), older_rows])


_NEXT_STATUS: Final = np.array([1, 2, 4, 3, 4])  # placed->shipped->delivered->returned


def orders_changes(
    spec: SyntheticSpec,
    changes: int,
    recent_days: int = 14,
    late_days: int = 90,
    recent_share: float = 0.9,
) -> pa.Table:
    """`changes` rows that update orders after the base batch, like a day's change feed.

    - `recent_share` of them move recent orders (placed in the last `recent_days`) along
      placed -> shipped -> delivered -> returned;
    - the rest are late updates (returns, quantity corrections) to orders up to `late_days`
      old (`late_days=spec.days, recent_share=0` spreads changes over the whole history);
    - one in fifty is a stale replay, older than what silver holds, so it must lose;
    - one in a hundred is a new order that arrives late (placed in the last three days);
    - one in two hundred has a malformed quantity.
    """
    o = _base_orders(spec)
    n = spec.orders
    rng = np.random.default_rng([spec.seed, 4])
    k_new = changes // 100
    k_existing = min(n, changes - k_new)
    # Rows the base batch corrupted are left alone, so expectations stay simple.
    base_rng = np.random.default_rng([spec.seed, 3])
    dirty = base_rng.choice(n, size=min(n, round(n * spec.dirty_rate)), replace=False)
    eligible = np.setdiff1d(np.arange(n), dirty)
    age = spec.end_epoch - o.order_ts[eligible]
    recent = eligible[age < recent_days * _DAY]
    k_recent = min(len(recent), round(k_existing * recent_share))
    picked_recent = rng.choice(recent, size=k_recent, replace=False)
    older = np.setdiff1d(eligible[age < late_days * _DAY], picked_recent)
    if len(older) < k_existing - k_recent:  # small data sets: widen to everything
        older = np.setdiff1d(eligible, picked_recent)
    picked_old = rng.choice(older, size=min(len(older), k_existing - k_recent), replace=False)
    rows = np.sort(np.concatenate([picked_recent, picked_old]))

    quantity = o.quantity[rows].copy()
    late = np.isin(rows, picked_old)
    quantity[late] = np.minimum(quantity[late] + 1, 20)  # late corrections change quantity
    status = o.status.copy()
    status[rows] = np.where(late, o.status[rows], _NEXT_STATUS[o.status[rows]])
    updated_at = o.updated_at.copy()
    updated_at[rows] = spec.end_epoch + rng.integers(_HOUR, 2 * _DAY, size=len(rows))
    stale = rows[::50]
    updated_at[stale] = o.updated_at[stale] - 30 * 60
    status[stale] = 0
    changed = replace(o, status=status, updated_at=updated_at)
    table = _orders_table(rows + 1, changed, rows, quantity)

    # Late new orders: ids after the base range, details borrowed from recent orders.
    pool = eligible[age < 3 * _DAY]
    pool = pool if len(pool) else eligible
    new_rows = rng.choice(pool, size=k_new, replace=len(pool) < k_new)
    fresh = _orders_table(np.arange(n + 1, n + 1 + len(new_rows)), o, new_rows)
    table = pa.concat_tables([table, fresh])
    malformed = np.arange(0, table.num_rows, 200)
    return _inject(table, malformed, problems=(("quantity", lambda v: "many"),))


def customers_base(spec: SyntheticSpec) -> pa.Table:
    rng = np.random.default_rng([spec.seed, 5])
    c = spec.n_customers
    first = np.array(_FIRST)[rng.integers(0, len(_FIRST), size=c)]
    last = np.array(_LAST)[rng.integers(0, len(_LAST), size=c)]
    numbers = np.arange(1, c + 1)
    names = pc.binary_join_element_wise(
        _text(np.char.capitalize(first)), _text(np.char.capitalize(last)), " "
    )
    emails = pc.binary_join_element_wise(
        _text(first), ".", _text(last), pc.cast(pa.array(numbers), pa.string()), "@example.com", ""
    )
    updated = spec.start_epoch - rng.integers(_DAY, 400 * _DAY, size=c)
    table = pa.table(
        {
            "customer_id": _ids("C", numbers - 1, 7),
            "name": names,
            "email": emails,
            "segment": _text(np.where(rng.random(c) < 0.85, "consumer", "business")),
            "region": _text(_REGIONS[rng.integers(0, 4, size=c)]),
            "status": _text(
                rng.choice(["active", "suspended", "closed"], size=c, p=[0.92, 0.05, 0.03])
            ),
            "updated_at": _timestamps(updated),
        }
    )
    dirty = rng.choice(c, size=max(1, c // 500), replace=False)
    problems = (
        ("email", lambda v: v.upper()),  # normalised to lower case, kept
        ("email", lambda v: v.replace("@", " at ")),  # INVALID_EMAIL
        ("segment", lambda v: "vip"),  # INVALID_ENUM
    )
    return _inject(table, dirty, problems)


def products_base(spec: SyntheticSpec) -> pa.Table:
    rng = np.random.default_rng([spec.seed, 6])
    p = spec.products
    names = pc.binary_join_element_wise(
        _text(np.array(_ADJECTIVES)[rng.integers(0, len(_ADJECTIVES), size=p)]),
        _text(np.array(_NOUNS)[rng.integers(0, len(_NOUNS), size=p)]),
        " ",
    )
    return pa.table(
        {
            "product_id": _ids("P", np.arange(p), 5),
            "name": names,
            "category": _text(np.array(_CATEGORIES)[rng.integers(0, len(_CATEGORIES), size=p)]),
            "list_price": _money(_list_prices(spec)),
            "updated_at": _timestamps(spec.start_epoch - rng.integers(_DAY, 400 * _DAY, size=p)),
        }
    )


def write_base(landing: Path, spec: SyntheticSpec, batch: str = BASE_BATCH) -> dict[str, int]:
    """Write the base batch of all three entities; returns rows written per entity."""
    tables = {
        ORDERS: orders_base(spec),
        CUSTOMERS: customers_base(spec),
        PRODUCTS: products_base(spec),
    }
    for entity, table in tables.items():
        _write(landing, entity, batch, table)
    return {entity.name: table.num_rows for entity, table in tables.items()}


def write_changes(
    landing: Path,
    spec: SyntheticSpec,
    changes: int,
    batch: str = CHANGES_BATCH,
    spread: bool = False,
) -> int:
    """Write a batch of `changes` changed orders; returns rows written. `spread` spreads the
    changes over the whole history instead of mostly recent orders (the costly case)."""
    if spread:
        table = orders_changes(spec, changes, late_days=spec.days, recent_share=0.0)
    else:
        table = orders_changes(spec, changes)
    _write(landing, ORDERS, batch, table)
    return table.num_rows
