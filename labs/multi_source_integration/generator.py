"""The three systems of multi-source-integration, and the answer key that grades the lab.

Brightwave Broadband keeps its customers in three systems that were never designed together:

- CRM: `landing/crm/customers/export_2024-02-01.csv`, key `customer_id`, CSV, ISO dates;
- billing: `landing/billing/accounts/accounts_20240201.csv`, key `cust_id`, `;`-separated,
  dd/mm/yyyy dates;
- support: `landing/support/contacts/contacts_2024-02-01.json`, key `id`, a JSON array,
  ISO 8601 timestamps with offsets.

The same person carries different keys, name spellings ("John Smith", "J. Smith",
"SMITH, JOHN", "John S."), statuses in different vocabularies (`status`, `account_status`,
`tier`/`plan`) and update times. Billing refers to CRM through `crm_ref` (written as `1001`,
`CRM-1001` or ` 1001`, and sometimes missing); support refers to billing through
`account_ref` (sometimes). Everything else must be matched on e-mail. The CRM holds a few
people twice. Some people exist only in billing (accounts opened by the finance team) or only
in support (prospects who asked a question).

The generator knows who is who, so the checks grade matching and survivorship exactly.
Seeded `random.Random` and Faker: the same seed gives the same files everywhere.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from faker import Faker

EXPORT_DAY = date(2024, 2, 1)
CRM_KEY = "crm/customers/export_2024-02-01.csv"
BILLING_KEY = "billing/accounts/accounts_20240201.csv"
SUPPORT_KEY = "support/contacts/contacts_2024-02-01.json"

CRM_PERSONS = 3880
BILLING_ONLY = 70
SUPPORT_ONLY = 50
CRM_DUPLICATES = 24

STATUSES = ("active", "suspended", "closed", "prospect")
TIERS = ("basic", "standard", "premium")
CRM_STATUS_TEXT = {
    "active": ("Active", "active", "ACTIVE"),
    "suspended": ("On Hold", "on hold"),
    "closed": ("Churned", "churned"),
    "prospect": ("Lead", "lead"),
}
BILLING_STATUS_TEXT = {
    "active": ("ACTIVE", "Active"),
    "suspended": ("SUSPENDED", "PAST_DUE", "Past Due"),
    "closed": ("CANCELLED", "CLOSED"),
}
BILLING_PLAN = {"basic": ("Starter",), "standard": ("Growth",), "premium": ("Pro", "Enterprise")}
DOMAINS = ("gmail.com", "outlook.com", "yahoo.co.uk", "btinternet.com", "icloud.com", "sky.com")
COUNTRIES = (("GB", 0.82), ("IE", 0.08), ("FR", 0.04), ("DE", 0.03), ("NL", 0.03))
PRIORITY = {"crm": 0, "billing": 1, "support": 2}


@dataclass
class Record:
    source: str  # crm | billing | support
    key: str  # the source's own key, as text
    name: str
    email: str | None
    updated: date  # the record's update date (UTC)
    status: str | None = None  # canonical
    tier: str | None = None  # canonical


@dataclass
class Person:
    pid: int
    first: str
    last: str
    email: str
    phone: str
    country: str
    records: list[Record] = field(default_factory=list)
    expected: dict[str, Any] = field(default_factory=dict)
    label: str = ""  # planted customers: what they demonstrate

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"

    def keys(self, source: str) -> list[str]:
        return [r.key for r in self.records if r.source == source]


@dataclass
class Landscape:
    crm_csv: bytes
    billing_csv: bytes
    support_json: bytes
    persons: list[Person]

    def files(self) -> dict[str, bytes]:
        return {
            CRM_KEY: self.crm_csv,
            BILLING_KEY: self.billing_csv,
            SUPPORT_KEY: self.support_json,
        }

    def counts(self) -> dict[str, int]:
        return {s: sum(len(p.keys(s)) for p in self.persons) for s in ("crm", "billing", "support")}

    def owner(self) -> dict[tuple[str, str], int]:
        """(source, key) -> person id: the true crosswalk."""
        return {(r.source, r.key): p.pid for p in self.persons for r in p.records}

    def planted(self) -> dict[str, Person]:
        return {p.label: p for p in self.persons if p.label}


def _valid(email: str | None) -> str | None:
    if email is None:
        return None
    e = email.strip().lower()
    user, _, domain = e.partition("@")
    ok = user and "." in domain and " " not in e and "@" not in domain and e.count("@") == 1
    return e if ok else None


def expected_email(records: list[Record]) -> str | None:
    """Survivorship for e-mail: the most recently updated valid address; ties go to the
    source priority CRM > billing > support."""
    best: tuple[date, int, str] | None = None
    for r in records:
        e = _valid(r.email)
        if e is None:
            continue
        cand = (r.updated, -PRIORITY[r.source], e)
        if best is None or cand[:2] > best[:2]:
            best = cand
    return best[2] if best else None


def _messy_case(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.05:
        return text.upper()
    if roll < 0.10:
        return f" {text} "
    return text


def _date_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.emails: set[str] = set()
        self.accounts: set[str] = set()
        self.next_crm = 1001
        self.next_support = 50001
        self.persons: list[Person] = []

    # --- people -----------------------------------------------------------------------
    def person(self, first: str | None = None, last: str | None = None, label: str = "") -> Person:
        rng = self.rng
        while True:
            f = first or self.fake.first_name()
            la = last or self.fake.last_name()
            if " " in f or " " in la or len(f) < 2 or len(la) < 2:
                continue
            user = f"{f}.{la}".lower().replace("'", "").replace("-", "")
            if rng.random() < 0.4 or first:
                user += str(rng.randint(2, 98))
            email = f"{user}@{rng.choice(DOMAINS)}"
            if email not in self.emails:
                break
        self.emails.add(email)
        country = rng.choices([c for c, _ in COUNTRIES], [w for _, w in COUNTRIES])[0]
        phone = f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}"
        p = Person(len(self.persons) + 1, f, la, email, phone, country, label=label)
        self.persons.append(p)
        return p

    def account_id(self) -> str:
        while True:
            acct = f"AC-{self.rng.randint(100000, 999999)}"
            if acct not in self.accounts:
                self.accounts.add(acct)
                return acct

    def crm(self, p: Person, status: str, updated: date, email: str | None = None) -> Record:
        rec = Record("crm", str(self.next_crm), p.full_name, email or p.email, updated, status)
        self.next_crm += 1
        p.records.append(rec)
        return rec

    def billing(self, p: Person, status: str, tier: str, updated: date, **kw: Any) -> Record:
        rec = Record("billing", self.account_id(), kw.get("name", p.full_name), None, updated)
        rec.email = kw.get("email", p.email)
        rec.status, rec.tier = status, tier
        p.records.append(rec)
        return rec

    def support(self, p: Person, tier: str | None, updated: date, **kw: Any) -> Record:
        rec = Record("support", str(self.next_support), kw.get("name", p.full_name), None, updated)
        rec.email = kw.get("email", p.email)
        rec.tier = tier
        self.next_support += 1
        p.records.append(rec)
        return rec


@dataclass
class _Raw:
    crm: list[dict[str, Any]] = field(default_factory=list)
    billing: list[dict[str, Any]] = field(default_factory=list)
    support: list[dict[str, Any]] = field(default_factory=list)


def _plant(b: _Builder) -> list[tuple[Person, dict[str, Any]]]:
    """Customers whose outcome the guide walks through (CRM ids 1001-1007)."""
    notes: list[tuple[Person, dict[str, Any]]] = []
    # The course's example: CRM says active, billing (newer) says suspended.
    john = b.person("John", "Smith", "john-smith")
    b.crm(john, "active", date(2024, 1, 15))
    b.billing(john, "suspended", "standard", date(2024, 1, 20), name="J. Smith")
    b.support(john, "premium", date(2024, 1, 18), name="John S.")
    notes.append((john, {"crm_ref": "1001", "support_ref": None, "updated_at": "14:02:00+00:00"}))
    # An invalid e-mail in the CRM: billing's address survives although it is older.
    maria = b.person("Maria", "Garcia", "maria-garcia")
    maria_email = maria.email
    b.crm(maria, "active", date(2024, 1, 10), email=maria_email.replace("@", "@@"))
    b.billing(maria, "active", "basic", date(2023, 11, 2), name="GARCIA, MARIA")
    notes.append((maria, {"crm_ref": "CRM-1002"}))
    # Billing without a CRM reference: matched on the e-mail alone.
    priya = b.person("Priya", "Patel", "priya-patel")
    b.crm(priya, "active", date(2023, 12, 1))
    b.billing(priya, "active", "premium", date(2023, 12, 5), email=f"  {priya.email.upper()}")
    b.support(priya, "premium", date(2024, 1, 9))
    notes.append((priya, {"crm_ref": ""}))
    # Two different people with the same name: never merged.
    for label in ("david-jones-1", "david-jones-2"):
        david = b.person("David", "Jones", label)
        b.crm(david, "active", date(2023, 10, 3))
    # The same person entered twice in the CRM (the second record comes later in the id range).
    emma = b.person("Emma", "Wilson", "emma-wilson")
    b.crm(emma, "active", date(2023, 9, 14))
    b.billing(emma, "active", "standard", date(2023, 9, 20))
    notes.append((emma, {"crm_duplicate": True}))
    # A newer e-mail in support (reached through the billing account): support's wins.
    ahmed = b.person("Ahmed", "Khan", "ahmed-khan")
    b.crm(ahmed, "active", date(2023, 8, 1))
    b.billing(ahmed, "active", "premium", date(2023, 8, 2))
    b.support(ahmed, "premium", date(2024, 1, 25), email="ahmed.khan.home@outlook.com")
    b.emails.add("ahmed.khan.home@outlook.com")
    notes.append((ahmed, {"support_ref": "billing"}))
    return notes


@functools.lru_cache(maxsize=2)
def generate(seed: int) -> Landscape:
    """The three sources and the answer key (cached: treat the result as read-only)."""
    b = _Builder(seed)
    rng = b.rng
    raw = _Raw()
    planted = {p.pid: extra for p, extra in _plant(b)}
    crm_from, crm_to = date(2023, 3, 1), date(2024, 1, 31)

    # --- the population ------------------------------------------------------------------
    n_crm = CRM_PERSONS - len(b.persons)
    for _ in range(n_crm):
        p = b.person()
        has_billing = rng.random() < 0.85
        has_support = rng.random() < 0.6
        if has_billing:
            bill_status = rng.choices(("active", "suspended", "closed"), (0.8, 0.08, 0.12))[0]
            crm_status = bill_status if rng.random() < 0.85 else rng.choice(STATUSES[:3])
        else:
            crm_status = rng.choices(STATUSES, (0.7, 0.05, 0.1, 0.15))[0]
            bill_status = ""
        bad_crm_email = has_billing and rng.random() < 0.02
        crm_email = p.email.replace("@", " at ") if bad_crm_email else None
        b.crm(p, crm_status, _date_between(rng, crm_from, crm_to), email=crm_email)
        tier = rng.choices(TIERS, (0.5, 0.32, 0.18))[0]
        if has_billing:
            roll = rng.random()
            email: str | None = p.email
            if roll < 0.05:
                email = (
                    f"accounts.{p.last.lower().replace(chr(39), '')}{rng.randint(1, 99)}@sky.com"
                )
                b.emails.add(email)
            elif roll < 0.10:
                email = None
            b.billing(
                p, bill_status, tier, _date_between(rng, date(2023, 6, 1), crm_to), email=email
            )
        if has_support:
            s_tier = tier if rng.random() < 0.8 else rng.choice(TIERS)
            new_email = rng.random() < 0.1 and has_billing
            email = p.email
            if new_email:
                email = f"{p.first.lower()}{rng.randint(100, 999)}@{rng.choice(DOMAINS)}"
                if email in b.emails:
                    email = p.email
                b.emails.add(email)
            b.support(
                p,
                s_tier if rng.random() > 0.05 else None,
                _date_between(rng, date(2023, 9, 1), crm_to),
                email=email,
            )
    for _ in range(BILLING_ONLY):
        p = b.person()
        status = rng.choices(("active", "suspended", "closed"), (0.75, 0.1, 0.15))[0]
        tier = rng.choices(TIERS, (0.3, 0.4, 0.3))[0]
        b.billing(p, status, tier, _date_between(rng, date(2023, 6, 1), crm_to))
        if rng.random() < 0.4:
            b.support(p, tier, _date_between(rng, date(2023, 9, 1), crm_to))
    for _ in range(SUPPORT_ONLY):
        p = b.person()
        b.support(p, None, _date_between(rng, date(2023, 10, 1), crm_to))

    # CRM duplicates: the person typed in again, later, in capitals.
    with_crm = [  # a duplicate must be findable: the first record's e-mail is valid
        p
        for p in b.persons
        if p.keys("crm") and not p.label and _valid(p.records[0].email) is not None
    ]
    emma = next(p for p in b.persons if p.label == "emma-wilson")
    dups = [*rng.sample(with_crm, CRM_DUPLICATES - 1), emma]
    for p in dups:
        first = next(r for r in p.records if r.source == "crm")
        rec = b.crm(p, first.status or "active", min(crm_to, first.updated + timedelta(days=30)))
        rec.name = p.full_name.upper()
        rec.email = p.email.upper()

    # --- raw rows, with the mess --------------------------------------------------------
    for p in b.persons:
        for r in p.records:
            extra = planted.get(p.pid, {})
            if r.source == "crm":
                raw.crm.append(_crm_row(rng, p, r))
            elif r.source == "billing":
                raw.billing.append(_billing_row(rng, p, r, extra))
            else:
                raw.support.append(_support_row(rng, p, r, extra))
        p.expected = _expected(p)

    # Sources list records in their own order, not by person.
    raw.crm.sort(key=lambda row: int(row["customer_id"]))
    rng.shuffle(raw.billing)
    raw.support.sort(key=lambda row: int(row["id"]))
    return Landscape(
        crm_csv=_csv(raw.crm, ","),
        billing_csv=_csv(raw.billing, ";"),
        support_json=json.dumps(raw.support, indent=1, ensure_ascii=False).encode() + b"\n",
        persons=b.persons,
    )


def _crm_row(rng: random.Random, p: Person, r: Record) -> dict[str, Any]:
    name, email = r.name, r.email or ""
    if not p.label and not name.isupper():  # planted customers keep the course's spelling
        name = name.lower() if rng.random() < 0.05 else _messy_case(rng, name)
        email = _messy_case(rng, email)
    return {
        "customer_id": r.key,
        "name": name,
        "email": email,
        "phone": p.phone,
        "country": p.country,
        "status": rng.choice(CRM_STATUS_TEXT[r.status or "active"]),
        "created": (r.updated - timedelta(days=rng.randint(60, 2000))).isoformat(),
        "last_update": r.updated.isoformat(),
    }


def _crm_ref(rng: random.Random, p: Person, r: Record, extra: dict[str, Any]) -> str:
    crm_keys = p.keys("crm")
    if not crm_keys:
        return ""
    if "crm_ref" in extra:
        return str(extra["crm_ref"])
    crm_email = _valid(next(x.email for x in p.records if x.source == "crm"))
    must = _valid(r.email) is None or _valid(r.email) != crm_email
    if not must and rng.random() < 0.08:
        return ""
    key = rng.choice(crm_keys)
    return rng.choice((key, key, f"CRM-{key}", f" {key}"))


def _billing_row(rng: random.Random, p: Person, r: Record, extra: dict[str, Any]) -> dict[str, Any]:
    name = r.name
    if name == p.full_name and not p.label:
        roll = rng.random()
        if roll < 0.3 and p.keys("crm"):
            name = f"{p.first[0]}. {p.last}"
        elif roll < 0.5:
            name = f"{p.last.upper()}, {p.first.upper()}"
    email = r.email
    if email and email == p.email and not p.label and rng.random() < 0.15:
        email = email.upper() if rng.random() < 0.5 else f"{email} "
    return {
        "cust_id": r.key,
        "crm_ref": _crm_ref(rng, p, r, extra),
        "customer_name": name,
        "email": email or "",
        "account_status": rng.choice(BILLING_STATUS_TEXT[r.status or "active"]),
        "plan": rng.choice(BILLING_PLAN[r.tier or "basic"]),
        "country": p.country,
        "modified": r.updated.strftime("%d/%m/%Y"),
    }


def _support_row(rng: random.Random, p: Person, r: Record, extra: dict[str, Any]) -> dict[str, Any]:
    name = r.name
    if name == p.full_name and not p.label and (p.keys("crm") or p.keys("billing")):
        roll = rng.random()
        if roll < 0.4:
            name = f"{p.first} {p.last[0]}."
        elif roll < 0.5:
            name = p.first
    billing = [x for x in p.records if x.source == "billing"]
    known = {_valid(x.email) for x in p.records if x.source != "support"} - {None}
    ref = None
    if billing and (_valid(r.email) not in known or rng.random() < 0.4):
        ref = billing[0].key
    if "support_ref" in extra:
        ref = billing[0].key if extra["support_ref"] == "billing" else None
    offset = timezone(timedelta(hours=1)) if rng.random() < 0.2 else UTC
    moment = datetime(
        r.updated.year,
        r.updated.month,
        r.updated.day,
        rng.randint(8, 20),
        rng.randint(0, 59),
        tzinfo=UTC,
    )
    if extra.get("updated_at"):
        moment = datetime.fromisoformat(f"{r.updated.isoformat()}T{extra['updated_at']}")
    tier = r.tier
    text = None
    if tier is not None:
        text = rng.choice((tier, tier, tier.capitalize(), tier.upper()))
    return {
        "id": int(r.key),
        "full_name": name,
        "email": r.email,
        "phone": p.phone.replace("+44 ", "0").replace(" ", ""),
        "tier": text,
        "account_ref": ref,
        "updated": moment.astimezone(offset).isoformat(),
    }


def _expected(p: Person) -> dict[str, Any]:
    billing = [r for r in p.records if r.source == "billing"]
    crm = [r for r in p.records if r.source == "crm"]
    support = [r for r in p.records if r.source == "support"]
    if billing:
        status, status_source = billing[0].status, "billing"
    elif crm:
        status, status_source = crm[0].status, "crm"
    else:
        status, status_source = "prospect", "rule"
    tier = next((r.tier for r in support if r.tier), None) or next(
        (r.tier for r in billing if r.tier), None
    )
    status_conflict = bool(billing and crm and crm[0].status != billing[0].status)
    return {
        "name": p.full_name,
        "email": expected_email(p.records),
        "status": status,
        "status_source": status_source,
        "status_conflict": status_conflict,
        "tier": tier,
        "crm_survivor": min((int(r.key) for r in crm), default=None),
    }


def _csv(rows: list[dict[str, Any]], sep: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=sep, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()
