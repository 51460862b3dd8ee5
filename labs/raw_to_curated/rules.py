"""The validation rules of the raw-to-curated lab, each marked block or warn.

- **block**: a failing row is rejected. It goes to `quarantine/<entity>/` with the rule's
  reason code and never reaches silver or gold. These rules are enforced by the shared silver
  job (`workloads/spark/lakelab_jobs/rules.py`); here they are declared, named and counted.
- **warn**: a failing row is kept (silver and gold include it), counted and reported with a
  sample of keys, so someone looks at it. These rules run on silver after each run.

The gate (`gate.py`) is a third kind of check: it looks at a whole delivery, not at rows,
and blocks *publishing* gold.

L1 uses this list as it is. L2 changes it: add a rule, or move one between warn and block
(a warn rule that should block has to remove rows before gold: say where you would do that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Severity = Literal["block", "warn"]


@dataclass(frozen=True)
class Rule:
    id: str
    entity: str
    severity: Severity
    description: str
    # block rules: the reason code the silver job gives a failing row
    reason_code: str | None = None
    # warn rules: a condition over silver orders `o` (with customers `c` and products `p`
    # left-joined on their keys) that is true for a failing row
    condition: str | None = None

    @property
    def action(self) -> str:
        return "quarantined" if self.severity == "block" else "flagged"


RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "order-required-fields",
        "orders",
        "block",
        "every contract field is present and not blank",
        "MISSING_REQUIRED",
    ),
    Rule(
        "order-numbers-parse",
        "orders",
        "block",
        "quantity is a whole number, unit_price a plain decimal",
        "MALFORMED_NUMBER",
    ),
    Rule(
        "order-timestamps-parse",
        "orders",
        "block",
        "order_ts and updated_at are ISO-8601 instants",
        "MALFORMED_TIMESTAMP",
    ),
    Rule(
        "order-codes-known",
        "orders",
        "block",
        "channel, region and status are contract codes",
        "INVALID_ENUM",
    ),
    Rule(
        "order-values-plausible",
        "orders",
        "block",
        "quantity 1..10000, price 0..100000, not updated before placed",
        "OUT_OF_RANGE",
    ),
    Rule(
        "customer-required-fields",
        "customers",
        "block",
        "every contract field is present and not blank",
        "MISSING_REQUIRED",
    ),
    Rule(
        "customer-timestamps-parse",
        "customers",
        "block",
        "updated_at is an ISO-8601 instant",
        "MALFORMED_TIMESTAMP",
    ),
    Rule(
        "customer-codes-known",
        "customers",
        "block",
        "segment and status are contract codes",
        "INVALID_ENUM",
    ),
    Rule(
        "customer-email-valid",
        "customers",
        "block",
        "email has the shape local@domain.tld",
        "INVALID_EMAIL",
    ),
    Rule(
        "product-required-fields",
        "products",
        "block",
        "every contract field is present and not blank",
        "MISSING_REQUIRED",
    ),
    Rule(
        "product-price-parses",
        "products",
        "block",
        "list_price is a plain decimal",
        "MALFORMED_NUMBER",
    ),
    Rule(
        "product-timestamps-parse",
        "products",
        "block",
        "updated_at is an ISO-8601 instant",
        "MALFORMED_TIMESTAMP",
    ),
    Rule(
        "product-price-plausible",
        "products",
        "block",
        "list_price is between 0 and 100000",
        "OUT_OF_RANGE",
    ),
    Rule(
        "order-customer-known",
        "orders",
        "warn",
        "the order's customer is in the CRM (silver customers)",
        condition="c.customer_id IS NULL",
    ),
    Rule(
        "order-product-known",
        "orders",
        "warn",
        "the order's product is in the catalogue (silver products)",
        condition="p.product_id IS NULL",
    ),
    Rule(
        "order-price-near-list",
        "orders",
        "warn",
        "unit_price is within 50% of the product's list price",
        condition=(
            "p.product_id IS NOT NULL AND abs(o.unit_price - p.list_price) > 0.5 * p.list_price"
        ),
    ),
)

BLOCK: Final = tuple(r for r in RULES if r.severity == "block")
WARN: Final = tuple(r for r in RULES if r.severity == "warn")
