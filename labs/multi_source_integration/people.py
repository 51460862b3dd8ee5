"""The people of multi-source-integration and the records each system holds of them.

`Builder` draws people (Faker, seeded) and gives them CRM, billing and support records;
`populate` adds the planted customers the guide walks through, the population, and the
CRM's duplicates. Everything is drawn from one seeded stream, in a fixed order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from faker import Faker

STATUSES = ("active", "suspended", "closed", "prospect")
TIERS = ("basic", "standard", "premium")
DOMAINS = ("gmail.com", "outlook.com", "yahoo.co.uk", "btinternet.com", "icloud.com", "sky.com")
COUNTRIES = (("GB", 0.82), ("IE", 0.08), ("FR", 0.04), ("DE", 0.03), ("NL", 0.03))
PRIORITY = {"crm": 0, "billing": 1, "support": 2}

CRM_PERSONS = 3880
BILLING_ONLY = 70
SUPPORT_ONLY = 50
CRM_DUPLICATES = 24
CRM_FROM, LAST_UPDATE = date(2023, 3, 1), date(2024, 1, 31)


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


def valid_email(email: str | None) -> str | None:
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
        e = valid_email(r.email)
        if e is None:
            continue
        cand = (r.updated, -PRIORITY[r.source], e)
        if best is None or cand[:2] > best[:2]:
            best = cand
    return best[2] if best else None


def _date_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


class Builder:
    """Draws people and their records, keeping e-mails, accounts and ids unique."""

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


def plant(b: Builder) -> list[tuple[Person, dict[str, Any]]]:
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


def _crm_customer(b: Builder) -> None:
    """A CRM customer, most with a billing account, many with support contacts."""
    rng = b.rng
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
    b.crm(p, crm_status, _date_between(rng, CRM_FROM, LAST_UPDATE), email=crm_email)
    tier = rng.choices(TIERS, (0.5, 0.32, 0.18))[0]
    if has_billing:
        email = _billing_email(b, p)
        updated = _date_between(rng, date(2023, 6, 1), LAST_UPDATE)
        b.billing(p, bill_status, tier, updated, email=email)
    if has_support:
        s_tier = tier if rng.random() < 0.8 else rng.choice(TIERS)
        email = _support_email(b, p, has_billing)
        b.support(
            p,
            s_tier if rng.random() > 0.05 else None,
            _date_between(rng, date(2023, 9, 1), LAST_UPDATE),
            email=email,
        )


def _billing_email(b: Builder, p: Person) -> str | None:
    """Billing mostly has the person's address; some a finance mailbox, some none."""
    rng = b.rng
    roll = rng.random()
    if roll < 0.05:
        email = f"accounts.{p.last.lower().replace(chr(39), '')}{rng.randint(1, 99)}@sky.com"
        b.emails.add(email)
        return email
    return None if roll < 0.10 else p.email


def _support_email(b: Builder, p: Person, has_billing: bool) -> str:
    """Support sometimes has a newer address (only where billing links the person)."""
    rng = b.rng
    new_email = rng.random() < 0.1 and has_billing
    email = p.email
    if new_email:
        email = f"{p.first.lower()}{rng.randint(100, 999)}@{rng.choice(DOMAINS)}"
        if email in b.emails:
            email = p.email
        b.emails.add(email)
    return email


def _billing_only(b: Builder) -> None:
    """An account the finance team opened: no CRM record."""
    rng = b.rng
    p = b.person()
    status = rng.choices(("active", "suspended", "closed"), (0.75, 0.1, 0.15))[0]
    tier = rng.choices(TIERS, (0.3, 0.4, 0.3))[0]
    b.billing(p, status, tier, _date_between(rng, date(2023, 6, 1), LAST_UPDATE))
    if rng.random() < 0.4:
        b.support(p, tier, _date_between(rng, date(2023, 9, 1), LAST_UPDATE))


def _crm_duplicates(b: Builder) -> None:
    """CRM duplicates: the person typed in again, later, in capitals."""
    with_crm = [  # a duplicate must be findable: the first record's e-mail is valid
        p
        for p in b.persons
        if p.keys("crm") and not p.label and valid_email(p.records[0].email) is not None
    ]
    emma = next(p for p in b.persons if p.label == "emma-wilson")
    dups = [*b.rng.sample(with_crm, CRM_DUPLICATES - 1), emma]
    for p in dups:
        first = next(r for r in p.records if r.source == "crm")
        updated = min(LAST_UPDATE, first.updated + timedelta(days=30))
        rec = b.crm(p, first.status or "active", updated)
        rec.name = p.full_name.upper()
        rec.email = p.email.upper()


def populate(b: Builder) -> dict[int, dict[str, Any]]:
    """Everyone, in the order they are drawn; returns the planted customers' row overrides
    by person id."""
    planted = {p.pid: extra for p, extra in plant(b)}
    for _ in range(CRM_PERSONS - len(b.persons)):
        _crm_customer(b)
    for _ in range(BILLING_ONLY):
        _billing_only(b)
    for _ in range(SUPPORT_ONLY):
        p = b.person()  # a prospect who asked a question
        b.support(p, None, _date_between(b.rng, date(2023, 10, 1), LAST_UPDATE))
    _crm_duplicates(b)
    return planted
