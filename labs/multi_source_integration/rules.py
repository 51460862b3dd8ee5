"""The business rules of the customer 360, in one place: cleaning, matching, survivorship and
confidence. The reference solution applies them; the guide documents them; `rules.json` in
gold records the version applied (lineage for whoever reads the 360).

Matching (who is who), in this order:

1. CRM records with the same valid e-mail are one person (the CRM has duplicates); the lowest
   `customer_id` is the survivor.
2. A billing account joins the CRM customer its `crm_ref` names (digits of `1001`,
   `CRM-1001`, ` 1001`); without a usable reference, the CRM customer with the same e-mail.
3. A support contact joins the billing account its `account_ref` names; otherwise the CRM or
   billing customer with the same e-mail.
4. Whatever is left is a customer of its own (billing-only accounts, support-only prospects).

Survivorship (which value wins), per attribute:

- name: the first *complete* name (no initials; first and last) by priority
  CRM > billing > support, then the most recent; `SMITH, JOHN` becomes `John Smith`, and
  names in all capitals or all lower case are re-cased;
- email: the most recently updated *valid* address (trimmed, lower case); ties go to
  CRM > billing > support;
- status: billing's `account_status` wins (finance is the truth about the account); else the
  CRM's `status`; else `prospect`;
- tier: support's `tier`; else billing's `plan` (Starter=basic, Growth=standard,
  Pro/Enterprise=premium);
- phone: CRM, else support, as +44... without spaces;
- country: CRM, else billing.

Confidence (0..1, two decimals), per attribute:
`trust(winning source) + 0.10 per other source that agrees - 0.25 per other source that
disagrees - 0.10 when the winning record is more than 180 days older than the customer's newest
record`, clamped to [0, 1]. A status set by rule (`prospect`) scores 0.50. Names agree when
they are compatible ("J. Smith" and "John S." agree with "John Smith").
"""

from __future__ import annotations

import re
from datetime import date

RULES_VERSION = "2024.02-1"

TRUST: dict[str, dict[str, float]] = {
    "name": {"crm": 0.85, "billing": 0.70, "support": 0.55},
    "email": {"crm": 0.80, "billing": 0.85, "support": 0.70},
    "status": {"billing": 0.90, "crm": 0.70},
    "tier": {"support": 0.85, "billing": 0.70},
}
AGREE, DISAGREE, STALE, STALE_DAYS, RULE_CONFIDENCE = 0.10, 0.25, 0.10, 180, 0.50
PRIORITY = {"crm": 0, "billing": 1, "support": 2}

CRM_STATUS = {"active": "active", "on hold": "suspended", "churned": "closed", "lead": "prospect"}
BILLING_STATUS = {
    "active": "active",
    "suspended": "suspended",
    "past_due": "suspended",
    "past due": "suspended",
    "cancelled": "closed",
    "closed": "closed",
}
PLAN_TIER = {"starter": "basic", "growth": "standard", "pro": "premium", "enterprise": "premium"}
TIERS = ("basic", "standard", "premium")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")
_DIGITS = re.compile(r"\d+")


def clean_email(raw: str | None) -> str | None:
    if raw is None:
        return None
    email = raw.strip().lower()
    return email if _EMAIL.fullmatch(email) else None


def _recase(word: str) -> str:
    return "-".join("'".join(p[:1].upper() + p[1:] for p in w.split("'")) for w in word.split("-"))


def clean_name(raw: str | None) -> str | None:
    """Trim, collapse spaces, turn `LAST, FIRST` around, re-case ALL CAPS / all lower."""
    if not raw or not raw.strip():
        return None
    name = " ".join(raw.split())
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}".strip()
    if name.isupper() or name.islower():
        name = " ".join(_recase(w.lower()) for w in name.split())
    return name


def is_complete(name: str | None) -> bool:
    """First and last name, neither an initial ("J. Smith" and "John S." are not complete)."""
    if not name:
        return False
    words = name.split()
    return len(words) >= 2 and all(len(w.rstrip(".")) > 1 and not w.endswith(".") for w in words)


def names_agree(a: str | None, b: str | None) -> bool:
    """Compatible names: same words, where an initial matches any word starting with it."""
    if not a or not b:
        return False
    wa, wb = a.lower().split(), b.lower().split()

    def same(x: str, y: str) -> bool:
        x, y = x.rstrip("."), y.rstrip(".")
        return x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))

    if len(wa) == 1 or len(wb) == 1:  # a first name alone
        return same(wa[0], wb[0])
    return same(wa[0], wb[0]) and same(wa[-1], wb[-1])


def clean_phone(raw: str | None) -> str | None:
    if not raw:
        return None
    digits = re.sub(r"[^\d+]", "", raw)
    if digits.startswith("0"):
        digits = "+44" + digits[1:]
    return digits or None


def crm_ref(raw: str | None) -> str | None:
    match = _DIGITS.search(raw or "")
    return match.group(0) if match else None


def crm_status(raw: str | None) -> str | None:
    return CRM_STATUS.get((raw or "").strip().lower())


def billing_status(raw: str | None) -> str | None:
    return BILLING_STATUS.get((raw or "").strip().lower())


def plan_tier(raw: str | None) -> str | None:
    return PLAN_TIER.get((raw or "").strip().lower())


def support_tier(raw: str | None) -> str | None:
    tier = (raw or "").strip().lower()
    return tier if tier in TIERS else None


def confidence(
    attribute: str,
    winner: str,
    agree: int,
    disagree: int,
    winner_updated: date,
    newest: date,
) -> float:
    score = TRUST[attribute].get(winner, 0.5) + AGREE * agree - DISAGREE * disagree
    if (newest - winner_updated).days > STALE_DAYS:
        score -= STALE
    return round(min(1.0, max(0.0, score)), 2)


def describe() -> dict[str, object]:
    """The rules as data, written next to the 360 (`gold/customer360/rules.json`)."""
    return {
        "version": RULES_VERSION,
        "matching": [
            "crm: same valid e-mail -> one customer; lowest customer_id survives",
            "billing: crm_ref digits -> that CRM customer; else same e-mail as a CRM customer",
            "support: account_ref -> that billing account; else same e-mail as CRM or billing",
            "otherwise: a customer of its own",
        ],
        "survivorship": {
            "name": "first complete name by priority crm > billing > support, then most recent",
            "email": "most recent valid address; ties crm > billing > support",
            "status": "billing account_status; else crm status; else 'prospect'",
            "tier": "support tier; else billing plan mapped",
            "phone": "crm; else support",
            "country": "crm; else billing",
        },
        "confidence": {
            "formula": "trust + 0.10*agreeing - 0.25*disagreeing - 0.10 if stale (>180 days)",
            "trust": TRUST,
            "rule_default": RULE_CONFIDENCE,
        },
        "mappings": {
            "crm_status": CRM_STATUS,
            "billing_status": BILLING_STATUS,
            "plan_tier": PLAN_TIER,
        },
    }
