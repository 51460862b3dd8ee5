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

import functools
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from labs.multi_source_integration.people import (
    Builder,
    Person,
    Record,
    expected_email,
    populate,
)
from labs.multi_source_integration.rows import billing_row, crm_row, csv_bytes, support_row

__all__ = ["Landscape", "Person", "Record", "expected_email", "generate"]

EXPORT_DAY = date(2024, 2, 1)
CRM_KEY = "crm/customers/export_2024-02-01.csv"
BILLING_KEY = "billing/accounts/accounts_20240201.csv"
SUPPORT_KEY = "support/contacts/contacts_2024-02-01.json"


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


@dataclass
class _Raw:
    crm: list[dict[str, Any]] = field(default_factory=list)
    billing: list[dict[str, Any]] = field(default_factory=list)
    support: list[dict[str, Any]] = field(default_factory=list)


@functools.lru_cache(maxsize=2)
def generate(seed: int) -> Landscape:
    """The three sources and the answer key (cached: treat the result as read-only)."""
    b = Builder(seed)
    planted = populate(b)
    rng = b.rng
    raw = _Raw()
    for p in b.persons:
        for r in p.records:
            extra = planted.get(p.pid, {})
            if r.source == "crm":
                raw.crm.append(crm_row(rng, p, r))
            elif r.source == "billing":
                raw.billing.append(billing_row(rng, p, r, extra))
            else:
                raw.support.append(support_row(rng, p, r, extra))
        p.expected = _expected(p)
    # Sources list records in their own order, not by person.
    raw.crm.sort(key=lambda row: int(row["customer_id"]))
    rng.shuffle(raw.billing)
    raw.support.sort(key=lambda row: int(row["id"]))
    return Landscape(
        crm_csv=csv_bytes(raw.crm, ","),
        billing_csv=csv_bytes(raw.billing, ";"),
        support_json=json.dumps(raw.support, indent=1, ensure_ascii=False).encode() + b"\n",
        persons=b.persons,
    )


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
