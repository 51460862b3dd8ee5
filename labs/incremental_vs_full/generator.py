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

from labs.incremental_vs_full.crm import DAY0, SCHEMA, STATUSES, TRANSITIONS, US, Crm, micros

__all__ = [
    "DAY0",
    "FEED_SCHEMA",
    "SCHEMA",
    "STATUSES",
    "CrmSource",
    "FeedDay",
    "day_of",
    "generate",
    "parquet_bytes",
    "scale",
    "snapshot_doc",
]

BASE_CUSTOMERS = 1_000_000
BASE_CHANGES = 1_000
DAYS = 3
AS_OF_DAY0 = 40_000_000  # LSN the day-0 extract is consistent with
FEED_SCHEMA = pa.schema(
    [("lsn", pa.int64()), ("op", pa.string()), *SCHEMA, ("committed_at", pa.timestamp("us"))]
)


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


Commit = tuple[int, str, int, int | None]  # commit time, op, position, business updated_at


def _day(crm: Crm, n: int, changes: int, lsn: int, previous: pa.Table | None) -> FeedDay:
    """Day `n`'s commits, applied to the source, and its feed file."""
    commits, n_late = _commits(crm, n, changes)
    table = _feed(crm, commits, lsn)
    # At-least-once delivery: some of today's rows twice, some of yesterday's again.
    rng = crm.rng
    dup_today = rng.choice(table.num_rows, size=max(1, table.num_rows // 50), replace=False)
    parts = [table, table.take(pa.array(np.sort(dup_today)))]
    if previous is not None:
        again = rng.choice(previous.num_rows, size=max(1, previous.num_rows // 100), replace=False)
        parts.insert(0, previous.take(pa.array(np.sort(again))))
    fed = pa.concat_tables(parts)
    fed = fed.take(pc.sort_indices(fed, [("lsn", "ascending")]))  # duplicates side by side
    return FeedDay(day_of(n), fed, int(n_late), fed.num_rows - len(commits))


def _commits(crm: Crm, n: int, changes: int) -> tuple[list[Commit], int]:
    """Day `n`'s status changes (some twice, some late), sign-ups and erasures, in commit
    order; and how many changes are late."""
    rng = crm.rng
    start = micros(day_of(n))
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
    commits: list[Commit] = []
    for pos, t, is_late in events:
        commits.append((t, "U", pos, t - 86_400 * US + 3_600 * US if is_late else None))
    for pos in new_pos:
        commits.append((int(crm.updated[pos]), "I", int(pos), None))
    for pos in erased:
        commits.append((start + int(rng.integers(9 * 3600, 17 * 3600)) * US, "D", int(pos), None))
    commits.sort(key=lambda c: (c[0], c[2]))
    return commits, n_late


def _feed(crm: Crm, commits: list[Commit], lsn: int) -> pa.Table:
    """Apply the commits to the source; the feed rows, one per commit, LSNs after `lsn`."""
    rng = crm.rng
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
    return pa.table(columns, schema=FEED_SCHEMA)


def generate(seed: int, factor: float | None = None) -> CrmSource:
    factor = scale() if factor is None else factor
    customers = max(1000, round(BASE_CUSTOMERS * factor))
    changes = max(50, round(BASE_CHANGES * factor))
    rng = np.random.default_rng(seed)
    crm = Crm(rng, seed, customers)
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
