"""The CRM customer table of incremental-vs-full, over an initial day and three days of changes.

Day 0 (2026-03-01) has 1,000,000 customers; every following day brings 1,000 status changes
plus the sign-ups and erasures of a normal day. The source offers two ways to read it, both
landed by `lakelab lab start`:

- a **full extract** per day: the whole table as it stood at the end of that day
  (`landing/crm/customer_snapshots/day=<date>/customers.parquet`, plus `_snapshot.json` with
  the log sequence number (LSN) it is consistent with);
- a **change feed** per day (CDC): one row per committed change, with its LSN, the operation
  (`I` insert, `U` update, `D` delete) and the row after the change
  (`landing/crm/customer_changes/day=<date>/changes.parquet`).

The feed behaves like real ones: some changes are delivered twice (at-least-once delivery,
within a day and again the next day), some customers change twice in a day, and some changes
arrive late (committed today with yesterday's `updated_at`, from a mobile app that synced
late). The table itself is messy the way a CRM is: status and plan in mixed case with stray
spaces, e-mail addresses in mixed case, some invalid, names with doubled spaces.

`LAKELAB_LAB_SCALE` (default 1) scales the table: 0.02 gives 20,000 customers and 50 changes
a day (never fewer than 50). Everything is generated from the lab's seed with numpy and Faker,
so a seed and a scale give the same bytes on every machine.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from faker import Faker

BASE_CUSTOMERS = 1_000_000
BASE_CHANGES = 1_000
DAYS = 3
DAY0 = date(2026, 3, 1)
FIRST_ID = 1_000_001
AS_OF_DAY0 = 40_000_000  # LSN the day-0 extract is consistent with

STATUSES = ("active", "inactive", "suspended", "closed")
STATUS_SHARE = (0.78, 0.10, 0.04, 0.08)
# Where a status change goes from each status (rows follow STATUSES).
TRANSITIONS = np.array(
    [
        [0.00, 0.45, 0.35, 0.20],
        [0.70, 0.00, 0.00, 0.30],
        [0.60, 0.00, 0.00, 0.40],
        [1.00, 0.00, 0.00, 0.00],
    ]
)
PLANS = ("basic", "plus", "premium")
PLAN_SHARE = (0.55, 0.30, 0.15)
COUNTRIES = {  # code -> (Faker locale, share)
    "GB": ("en_GB", 0.30),
    "DE": ("de_DE", 0.20),
    "FR": ("fr_FR", 0.15),
    "NL": ("nl_NL", 0.08),
    "ES": ("es_ES", 0.08),
    "IT": ("it_IT", 0.07),
    "IE": ("en_IE", 0.05),
    "SE": ("sv_SE", 0.04),
    "PL": ("pl_PL", 0.03),
}
DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "gmx.de", "orange.fr")
DOMAIN_SHARE = (0.42, 0.18, 0.12, 0.12, 0.09, 0.07)

SCHEMA = pa.schema(
    [
        ("customer_id", pa.int64()),
        ("first_name", pa.string()),
        ("last_name", pa.string()),
        ("email", pa.string()),
        ("country", pa.string()),
        ("status", pa.string()),
        ("plan", pa.string()),
        ("signup_date", pa.date32()),
        ("updated_at", pa.timestamp("us")),
    ]
)
FEED_SCHEMA = pa.schema(
    [("lsn", pa.int64()), ("op", pa.string()), *SCHEMA, ("committed_at", pa.timestamp("us"))]
)
US = 1_000_000  # microseconds in a second


def scale() -> float:
    raw = os.environ.get("LAKELAB_LAB_SCALE", "1")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"LAKELAB_LAB_SCALE must be a number, not {raw!r}") from None
    if not 0 < value <= 10:
        raise ValueError("LAKELAB_LAB_SCALE must be in (0, 10]")
    return value


def day_of(n: int) -> date:
    return DAY0 + timedelta(days=n)


def _micros(d: date) -> int:
    return (d - date(1970, 1, 1)).days * 86_400 * US


@dataclass
class FeedDay:
    day: date
    table: pa.Table  # the feed file's rows, in file order (duplicates included)
    late: int  # changes committed today with yesterday's updated_at
    duplicates: int  # rows delivered more than once


@dataclass
class CrmSource:
    customers: int
    changes_per_day: int
    snapshots: list[tuple[date, int, pa.Table]] = field(default_factory=list)  # day, as_of, rows
    feeds: list[FeedDay] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {
            "customers_day0": self.customers,
            "status_changes_per_day": self.changes_per_day,
            "days": [d.isoformat() for d, _, _ in self.snapshots],
            "snapshot_rows": {d.isoformat(): t.num_rows for d, _, t in self.snapshots},
            "snapshot_as_of_lsn": {d.isoformat(): lsn for d, lsn, _ in self.snapshots},
            "feed_rows": {f.day.isoformat(): f.table.num_rows for f in self.feeds},
            "late_changes": {f.day.isoformat(): f.late for f in self.feeds},
            "redelivered_rows": {f.day.isoformat(): f.duplicates for f in self.feeds},
        }


class _Crm:
    """The source database: immutable columns in Arrow, mutable ones in numpy."""

    def __init__(self, rng: np.random.Generator, seed: int, n: int) -> None:
        self.rng = rng
        self.pools = self._pools(seed)
        self.status_text = self._variants(
            STATUSES, lambda s: (s, s.capitalize(), s.upper(), f" {s}", f"{s} ")
        )
        self.plan_text = self._variants(PLANS, lambda s: (s, s.capitalize(), s.upper(), s, s))
        self.next_id = FIRST_ID
        self.static: list[pa.Table] = []
        self.status = np.empty(0, dtype=np.int8)
        self.status_var = np.empty(0, dtype=np.int8)
        self.updated = np.empty(0, dtype=np.int64)
        self.alive = np.empty(0, dtype=bool)
        self.add(n, _micros(date(2015, 1, 1)), _micros(DAY0) + 86_399 * US)

    @staticmethod
    def _variants(values: tuple[str, ...], spell: Any) -> pa.Array:
        return pa.array([text for v in values for text in spell(v)])

    @staticmethod
    def _pools(seed: int) -> dict[str, tuple[list[str], list[str]]]:
        pools = {}
        for code, (locale, _) in COUNTRIES.items():
            fake = Faker(locale)
            fake.seed_instance(seed)
            first = sorted({fake.first_name() for _ in range(400)})
            last = sorted({fake.last_name() for _ in range(700)})
            pools[code] = (first, last)
        return pools

    def _raw_variant(self, n: int, weights: tuple[float, ...]) -> np.ndarray:
        return self.rng.choice(len(weights), size=n, p=weights).astype(np.int8)

    def add(self, n: int, first_us: int, last_us: int, *, new: bool = False) -> np.ndarray:
        """Sign up `n` customers with signup/updated times in [first_us, last_us]; `new`
        ones start active."""
        rng = self.rng
        ids = np.arange(self.next_id, self.next_id + n, dtype=np.int64)
        self.next_id += n
        codes = list(COUNTRIES)
        country = rng.choice(len(codes), size=n, p=[COUNTRIES[c][1] for c in codes])
        first = np.empty(n, dtype=object)
        last = np.empty(n, dtype=object)
        for i, code in enumerate(codes):
            where = np.nonzero(country == i)[0]
            f_pool, l_pool = self.pools[code]
            first[where] = np.array(f_pool, dtype=object)[rng.integers(0, len(f_pool), where.size)]
            last[where] = np.array(l_pool, dtype=object)[rng.integers(0, len(l_pool), where.size)]
        # Sign-ups grow over the years: a beta distribution leaning to recent dates.
        signup_us = first_us + (rng.beta(2.2, 1.0, n) * (last_us - first_us)).astype(np.int64)
        updated = signup_us + (rng.random(n) * (last_us - signup_us)).astype(np.int64)
        signup_days = (signup_us // (86_400 * US)).astype(np.int32)

        first_a, last_a = pa.array(first, pa.string()), pa.array(last, pa.string())
        user = pc.utf8_lower(pc.binary_join_element_wise(first_a, last_a, "."))
        user = pc.utf8_normalize(user, "NFKD")  # é -> e + accent, then drop the accent
        user = pc.replace_substring_regex(user, r"[^a-z0-9.]", "")
        suffix = rng.integers(1, 999, n)
        with_no = rng.random(n) < 0.6
        user = pc.if_else(
            pa.array(with_no),
            pc.binary_join_element_wise(user, pa.array(suffix.astype(str)), ""),
            user,
        )
        domain = pa.array(np.array(DOMAINS, dtype=object)[rng.choice(6, n, p=DOMAIN_SHARE)])
        email = pc.binary_join_element_wise(user, domain, "@")
        # The mess: mixed case, stray spaces, a few invalid addresses, doubled spaces in names.
        roll = rng.random(n)
        email = pc.if_else(pa.array(roll < 0.04), pc.utf8_upper(email), email)
        email = pc.if_else(
            pa.array((roll >= 0.04) & (roll < 0.07)),
            pc.binary_join_element_wise(pa.scalar(" "), email, ""),
            email,
        )
        email = pc.if_else(
            pa.array((roll >= 0.07) & (roll < 0.075)),
            pc.replace_substring(email, "@", " at "),
            email,
        )
        name_roll = rng.random(n)
        first_a = pc.if_else(
            pa.array(name_roll < 0.02),
            pc.binary_join_element_wise(first_a, pa.scalar(" "), ""),
            first_a,
        )
        last_a = pc.if_else(
            pa.array((name_roll >= 0.02) & (name_roll < 0.03)),
            pc.binary_join_element_wise(pa.scalar("  "), last_a, ""),
            last_a,
        )
        plan = self.plan_text.take(
            pa.array(
                rng.choice(3, n, p=PLAN_SHARE) * 5
                + self._raw_variant(n, (0.8, 0.1, 0.04, 0.03, 0.03))
            )
        )
        self.static.append(
            pa.table(
                {
                    "customer_id": ids,
                    "first_name": first_a,
                    "last_name": last_a,
                    "email": email,
                    "country": pa.array(np.array(codes, dtype=object)[country], pa.string()),
                    "plan": plan,
                    "signup_date": pa.array(signup_days, pa.date32()),
                }
            )
        )
        status = np.zeros(n, dtype=np.int8) if new else rng.choice(4, n, p=STATUS_SHARE)
        self.status = np.concatenate([self.status, status.astype(np.int8)])
        self.status_var = np.concatenate(
            [self.status_var, self._raw_variant(n, (0.72, 0.16, 0.06, 0.03, 0.03))]
        )
        self.updated = np.concatenate([self.updated, updated])
        self.alive = np.concatenate([self.alive, np.ones(n, dtype=bool)])
        return ids

    def rows(self, idx: np.ndarray | None = None) -> pa.Table:
        """Rows of the table as they are now (the given positions, or every live one)."""
        if idx is None:
            idx = np.nonzero(self.alive)[0]
        return self.image(idx, self.status[idx], self.status_var[idx], self.updated[idx])

    def image(
        self, idx: np.ndarray, status: np.ndarray, variant: np.ndarray, updated: np.ndarray
    ) -> pa.Table:
        """Rows at positions `idx` with the given mutable values, in SCHEMA order."""
        if len(self.static) > 1:
            self.static = [pa.concat_tables(self.static).combine_chunks()]
        t = self.static[0].take(pa.array(idx, pa.int64()))
        text = self.status_text.take(pa.array(status.astype(np.int64) * 5 + variant))
        return pa.table(
            {
                "customer_id": t["customer_id"],
                "first_name": t["first_name"],
                "last_name": t["last_name"],
                "email": t["email"],
                "country": t["country"],
                "status": text,
                "plan": t["plan"],
                "signup_date": t["signup_date"],
                "updated_at": pa.array(updated, pa.timestamp("us")),
            },
            schema=SCHEMA,
        )


def _day(crm: _Crm, n: int, changes: int, lsn: int, previous: pa.Table | None) -> FeedDay:
    """Day `n`'s commits, applied to the source, and its feed file."""
    rng = crm.rng
    start = _micros(day_of(n))
    live = np.nonzero(crm.alive)[0]
    n_second = max(1, changes * 3 // 100)
    n_late = max(1, changes * 3 // 200)
    n_signups = max(1, changes * 12 // 100)
    n_erasures = max(1, changes // 100)
    picked = rng.choice(live, size=changes - n_second + n_erasures, replace=False)
    updated, erased = picked[: changes - n_second], picked[changes - n_second :]
    late = updated[:n_late]  # changed only once, and only by a late change
    seconds = updated[n_late : n_late + n_second]  # these change twice today
    # (position, commit time, late?) of every status change; times in business hours.
    events: list[tuple[int, int, bool]] = []
    for pos in updated:
        t = start + int(rng.integers(7 * 3600, 22 * 3600)) * US
        events.append((int(pos), t, bool(pos in late)))
    for pos in seconds:
        t = start + int(rng.integers(22 * 3600, 23 * 3600)) * US
        events.append((int(pos), t, False))
    crm.add(n_signups, start + 6 * 3600 * US, start + 23 * 3600 * US, new=True)
    new_pos = np.arange(len(crm.alive) - n_signups, len(crm.alive))
    commits: list[tuple[int, str, int, int | None]] = []  # time, op, position, updated_at
    for pos, t, is_late in events:
        commits.append((t, "U", pos, t - 86_400 * US + 3_600 * US if is_late else None))
    for pos in new_pos:
        commits.append((int(crm.updated[pos]), "I", int(pos), None))
    for pos in erased:
        commits.append((start + int(rng.integers(9 * 3600, 17 * 3600)) * US, "D", int(pos), None))
    commits.sort(key=lambda c: (c[0], c[2]))
    positions = np.array([c[2] for c in commits], dtype=np.int64)
    status = np.empty(len(commits), dtype=np.int8)
    variant = np.empty(len(commits), dtype=np.int8)
    updated_at = np.empty(len(commits), dtype=np.int64)
    for i, (t, op, pos, business_time) in enumerate(commits):
        if op == "U":
            crm.status[pos] = rng.choice(4, p=TRANSITIONS[int(crm.status[pos])])
            crm.status_var[pos] = rng.choice(5, p=(0.72, 0.16, 0.06, 0.03, 0.03))
            crm.updated[pos] = business_time if business_time is not None else t
        elif op == "D":
            crm.alive[pos] = False
        status[i], variant[i], updated_at[i] = (
            crm.status[pos],
            crm.status_var[pos],
            crm.updated[pos],
        )
    after = crm.image(positions, status, variant, updated_at)
    ops = pa.array([c[1] for c in commits], pa.string())
    deleted = pc.equal(ops, "D")
    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        "lsn": pa.array(np.arange(lsn + 1, lsn + 1 + len(commits)), pa.int64()),
        "op": ops,
    }
    for name in SCHEMA.names:  # a delete carries the key only
        col = after[name]
        columns[name] = col if name == "customer_id" else pc.if_else(deleted, None, col)
    columns["committed_at"] = pa.array([c[0] for c in commits], pa.timestamp("us"))
    table = pa.table(columns, schema=FEED_SCHEMA)
    # At-least-once delivery: some of today's rows twice, some of yesterday's again.
    dup_today = rng.choice(table.num_rows, size=max(1, table.num_rows // 50), replace=False)
    parts = [table, table.take(pa.array(np.sort(dup_today)))]
    if previous is not None:
        again = rng.choice(previous.num_rows, size=max(1, previous.num_rows // 100), replace=False)
        parts.insert(0, previous.take(pa.array(np.sort(again))))
    fed = pa.concat_tables(parts)
    fed = fed.take(pc.sort_indices(fed, [("lsn", "ascending")]))  # duplicates side by side
    return FeedDay(day_of(n), fed, int(n_late), fed.num_rows - len(commits))


def generate(seed: int, factor: float | None = None) -> CrmSource:
    factor = scale() if factor is None else factor
    customers = max(1000, round(BASE_CUSTOMERS * factor))
    changes = max(50, round(BASE_CHANGES * factor))
    rng = np.random.default_rng(seed)
    crm = _Crm(rng, seed, customers)
    src = CrmSource(customers=customers, changes_per_day=changes)
    lsn = AS_OF_DAY0
    src.snapshots.append((DAY0, lsn, crm.rows()))
    previous: pa.Table | None = None
    for n in range(1, DAYS + 1):
        feed = _day(crm, n, changes, lsn, previous)
        lsn = int(pc.max(feed.table["lsn"]).as_py())
        src.feeds.append(feed)
        src.snapshots.append((day_of(n), lsn, crm.rows()))
        previous = feed.table
    return src


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def snapshot_doc(day: date, as_of_lsn: int, rows: int) -> bytes:
    doc = {"day": day.isoformat(), "as_of_lsn": as_of_lsn, "rows": rows}
    return json.dumps(doc, indent=2).encode() + b"\n"
