"""The CRM source database of incremental-vs-full: customers with names from each country's
Faker locale, e-mail addresses, plans and statuses, spelled messily the way a CRM holds them.
Immutable columns are in Arrow, mutable ones (status, updated_at, alive) in numpy; all drawn
from one seeded numpy stream."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker

DAY0 = date(2026, 3, 1)
FIRST_ID = 1_000_001

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
US = 1_000_000  # microseconds in a second


def micros(d: date) -> int:
    return (d - date(1970, 1, 1)).days * 86_400 * US


class Crm:
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
        self.add(n, micros(date(2015, 1, 1)), micros(DAY0) + 86_399 * US)

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
        codes, country, first, last = self._names(n)
        # Sign-ups grow over the years: a beta distribution leaning to recent dates.
        signup_us = first_us + (rng.beta(2.2, 1.0, n) * (last_us - first_us)).astype(np.int64)
        updated = signup_us + (rng.random(n) * (last_us - signup_us)).astype(np.int64)
        signup_days = (signup_us // (86_400 * US)).astype(np.int32)
        first_a, last_a = pa.array(first, pa.string()), pa.array(last, pa.string())
        email = self._emails(first_a, last_a, n)
        first_a, last_a = self._messy_names(first_a, last_a, n)
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

    def _names(self, n: int) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """(country codes, each customer's country index, first names, last names)."""
        rng = self.rng
        codes = list(COUNTRIES)
        country = rng.choice(len(codes), size=n, p=[COUNTRIES[c][1] for c in codes])
        first = np.empty(n, dtype=object)
        last = np.empty(n, dtype=object)
        for i, code in enumerate(codes):
            where = np.nonzero(country == i)[0]
            f_pool, l_pool = self.pools[code]
            first[where] = np.array(f_pool, dtype=object)[rng.integers(0, len(f_pool), where.size)]
            last[where] = np.array(l_pool, dtype=object)[rng.integers(0, len(l_pool), where.size)]
        return codes, country, first, last

    def _emails(self, first_a: pa.Array, last_a: pa.Array, n: int) -> pa.Array:
        """first.last[nnn]@domain, with the mess: mixed case, stray spaces, a few invalid."""
        rng = self.rng
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
        roll = rng.random(n)
        email = pc.if_else(pa.array(roll < 0.04), pc.utf8_upper(email), email)
        email = pc.if_else(
            pa.array((roll >= 0.04) & (roll < 0.07)),
            pc.binary_join_element_wise(pa.scalar(" "), email, ""),
            email,
        )
        return pc.if_else(
            pa.array((roll >= 0.07) & (roll < 0.075)),
            pc.replace_substring(email, "@", " at "),
            email,
        )

    def _messy_names(
        self, first_a: pa.Array, last_a: pa.Array, n: int
    ) -> tuple[pa.Array, pa.Array]:
        """A few names with a trailing space or doubled leading spaces."""
        name_roll = self.rng.random(n)
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
        return first_a, last_a

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
