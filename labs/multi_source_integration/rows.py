"""The rows each system exports, with the mess: name spellings, case and padding, status
vocabularies, date formats and the references between the systems."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from labs.multi_source_integration.people import Person, Record, valid_email

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


def _messy_case(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.05:
        return text.upper()
    if roll < 0.10:
        return f" {text} "
    return text


def crm_row(rng: random.Random, p: Person, r: Record) -> dict[str, Any]:
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
    crm_email = valid_email(next(x.email for x in p.records if x.source == "crm"))
    must = valid_email(r.email) is None or valid_email(r.email) != crm_email
    if not must and rng.random() < 0.08:
        return ""
    key = rng.choice(crm_keys)
    return rng.choice((key, key, f"CRM-{key}", f" {key}"))


def billing_row(rng: random.Random, p: Person, r: Record, extra: dict[str, Any]) -> dict[str, Any]:
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


def support_row(rng: random.Random, p: Person, r: Record, extra: dict[str, Any]) -> dict[str, Any]:
    name = r.name
    if name == p.full_name and not p.label and (p.keys("crm") or p.keys("billing")):
        roll = rng.random()
        if roll < 0.4:
            name = f"{p.first} {p.last[0]}."
        elif roll < 0.5:
            name = p.first
    billing = [x for x in p.records if x.source == "billing"]
    known = {valid_email(x.email) for x in p.records if x.source != "support"} - {None}
    ref = None
    if billing and (valid_email(r.email) not in known or rng.random() < 0.4):
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


def csv_bytes(rows: list[dict[str, Any]], sep: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=sep, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()
