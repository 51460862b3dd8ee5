"""Reference solution of multi-source-integration: one customer 360 from CRM, billing, support.

Steps: read the three files from landing; clean every record into one shape (`Rec`); match
records into customers (union-find over the rules in `rules.py`); pick every attribute's value
by its survivorship rule and score it; write the key crosswalk (silver) and the 360 (gold),
plus the rules applied.

    silver/customer360/crosswalk.parquet    customer_key, source, source_key, match_rule
    gold/customer360/customer_360.parquet   one row per customer, value + source + confidence
    gold/customer360/rules.json             rules version, counts, input checksums
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from labs.multi_source_integration import rules
from labs.multi_source_integration.generator import BILLING_KEY, CRM_KEY, SUPPORT_KEY
from lakelab.errors import UserError
from lakelab.lake import Lake

CROSSWALK_KEY = "customer360/crosswalk.parquet"
C360_KEY = "customer360/customer_360.parquet"
RULES_KEY = "customer360/rules.json"


@dataclass
class Rec:
    """One source record, cleaned."""

    source: str
    key: str
    name: str | None
    email: str | None
    phone: str | None
    country: str | None
    status: str | None
    tier: str | None
    updated: date
    ref: str | None = None  # crm_ref (billing) or account_ref (support)
    rule: str = "new"


def read_sources(lake: Lake) -> list[Rec]:
    missing = [k for k in (CRM_KEY, BILLING_KEY, SUPPORT_KEY) if k not in lake.keys("landing", k)]
    if missing:
        raise UserError(
            f"landing/{missing[0]} is missing: run `lakelab lab start multi-source-integration`"
        )
    out: list[Rec] = []
    crm_text = lake.get("landing", CRM_KEY).decode("utf-8")
    for row in csv.DictReader(io.StringIO(crm_text)):
        out.append(
            Rec(
                "crm",
                row["customer_id"].strip(),
                rules.clean_name(row["name"]),
                rules.clean_email(row["email"]),
                rules.clean_phone(row["phone"]),
                (row["country"] or "").strip().upper() or None,
                rules.crm_status(row["status"]),
                None,
                date.fromisoformat(row["last_update"].strip()),
            )
        )
    billing_text = lake.get("landing", BILLING_KEY).decode("utf-8")
    for row in csv.DictReader(io.StringIO(billing_text), delimiter=";"):
        out.append(
            Rec(
                "billing",
                row["cust_id"].strip(),
                rules.clean_name(row["customer_name"]),
                rules.clean_email(row["email"]),
                None,
                (row["country"] or "").strip().upper() or None,
                rules.billing_status(row["account_status"]),
                rules.plan_tier(row["plan"]),
                datetime.strptime(row["modified"].strip(), "%d/%m/%Y").date(),
                ref=rules.crm_ref(row["crm_ref"]),
            )
        )
    for doc in json.loads(lake.get("landing", SUPPORT_KEY)):
        updated = datetime.fromisoformat(doc["updated"]).astimezone(UTC).date()
        out.append(
            Rec(
                "support",
                str(doc["id"]),
                rules.clean_name(doc.get("full_name")),
                rules.clean_email(doc.get("email")),
                rules.clean_phone(doc.get("phone")),
                None,
                None,
                rules.support_tier(doc.get("tier")),
                updated,
                ref=(doc.get("account_ref") or "").strip() or None,
            )
        )
    return out


class _Groups:
    """Union-find over record positions."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def match(recs: list[Rec]) -> list[list[Rec]]:
    """Group records into customers by the matching rules (see rules.py)."""
    groups = _Groups(len(recs))
    crm_by_key: dict[str, int] = {}
    crm_by_email: dict[str, int] = {}
    billing_by_key: dict[str, int] = {}
    known_email: dict[str, int] = {}
    for i, r in enumerate(recs):
        if r.source != "crm":
            continue
        crm_by_key[r.key] = i
        if r.email in crm_by_email:  # 1. CRM duplicates
            groups.union(i, crm_by_email[r.email])
            r.rule = "crm_duplicate_email"
        elif r.email:
            crm_by_email[r.email] = i
        if r.rule == "new":
            r.rule = "crm"
    known_email.update(crm_by_email)
    for i, r in enumerate(recs):  # 2. billing -> CRM
        if r.source != "billing":
            continue
        billing_by_key[r.key] = i
        if r.ref and r.ref in crm_by_key:
            groups.union(i, crm_by_key[r.ref])
            r.rule = "crm_ref"
        elif r.email and r.email in crm_by_email:
            groups.union(i, crm_by_email[r.email])
            r.rule = "email"
        if r.email:
            known_email.setdefault(r.email, i)
    for i, r in enumerate(recs):  # 3. support -> billing or by e-mail
        if r.source != "support":
            continue
        if r.ref and r.ref in billing_by_key:
            groups.union(i, billing_by_key[r.ref])
            r.rule = "account_ref"
        elif r.email and r.email in known_email:
            groups.union(i, known_email[r.email])
            r.rule = "email"
    found: dict[int, list[Rec]] = defaultdict(list)
    for i, r in enumerate(recs):
        found[groups.find(i)].append(r)
    return list(found.values())


def customer_key(group: list[Rec]) -> str:
    """A stable golden key: `C-<lowest CRM id>`, else `B-<billing account>`, else
    `S-<support id>` (the same sources always give the same keys)."""
    crm = sorted(int(r.key) for r in group if r.source == "crm")
    if crm:
        return f"C-{crm[0]}"
    billing = sorted(r.key for r in group if r.source == "billing")
    if billing:
        return f"B-{billing[0]}"
    return f"S-{min(int(r.key) for r in group)}"


@dataclass
class Choice:
    value: Any = None
    source: str | None = None
    confidence: float | None = None
    agree: list[str] = field(default_factory=list)


def _by_priority(recs: list[Rec]) -> list[Rec]:
    return sorted(recs, key=lambda r: (rules.PRIORITY[r.source], -r.updated.toordinal(), r.key))


def _latest_per_source(recs: list[Rec], attr: str) -> dict[str, Rec]:
    """Each source's most recent record holding a value for `attr`."""
    out: dict[str, Rec] = {}
    for r in sorted(recs, key=lambda r: (r.updated, r.key)):
        if getattr(r, attr) is not None:
            out[r.source] = r
    return out


def _score(
    attr: str, winner: Rec, value: Any, group: list[Rec], same: Callable[[Any, Any], bool]
) -> Choice:
    newest = max(r.updated for r in group)
    agree = disagree = 0
    agreeing: list[str] = []
    for source, r in _latest_per_source(group, attr).items():
        if source == winner.source:
            continue
        if same(getattr(r, attr), value):
            agree += 1
            agreeing.append(source)
        else:
            disagree += 1
    score = rules.confidence(attr, winner.source, agree, disagree, winner.updated, newest)
    return Choice(value, winner.source, score, agreeing)


def survive(group: list[Rec]) -> dict[str, Choice]:
    eq: Callable[[Any, Any], bool] = lambda a, b: a == b  # noqa: E731
    out: dict[str, Choice] = {}
    # name: the first complete name by priority, then the most recent; else the longest
    named = [r for r in group if r.name]
    complete = [r for r in _by_priority(named) if rules.is_complete(r.name)]
    if complete:
        out["name"] = _score("name", complete[0], complete[0].name, group, rules.names_agree)
    elif named:
        longest = max(named, key=lambda r: (len(r.name or ""), -rules.PRIORITY[r.source]))
        out["name"] = _score("name", longest, longest.name, group, rules.names_agree)
    else:
        out["name"] = Choice()
    # email: the most recent valid address, ties by priority
    mailed = [r for r in group if r.email]
    if mailed:
        best = max(mailed, key=lambda r: (r.updated, -rules.PRIORITY[r.source]))
        out["email"] = _score("email", best, best.email, group, eq)
    else:
        out["email"] = Choice()
    # status: billing wins, then CRM, then the rule
    billing = _latest_per_source(group, "status")
    if "billing" in billing:
        out["status"] = _score("status", billing["billing"], billing["billing"].status, group, eq)
    elif "crm" in billing:
        out["status"] = _score("status", billing["crm"], billing["crm"].status, group, eq)
    else:
        out["status"] = Choice("prospect", "rule", rules.RULE_CONFIDENCE)
    # tier: support, then billing
    tiered = _latest_per_source(group, "tier")
    for source in ("support", "billing"):
        if source in tiered:
            out["tier"] = _score("tier", tiered[source], tiered[source].tier, group, eq)
            break
    else:
        out["tier"] = Choice()
    for attr, order in (("phone", ("crm", "support")), ("country", ("crm", "billing"))):
        held = _latest_per_source(group, attr)
        winner = next((held[s] for s in order if s in held), None)
        out[attr] = Choice(getattr(winner, attr), winner.source) if winner else Choice()
    return out


def build(recs: list[Rec]) -> tuple[pa.Table, pa.Table]:
    crosswalk: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for group in sorted(match(recs), key=customer_key):
        key = customer_key(group)
        for r in sorted(group, key=lambda r: (rules.PRIORITY[r.source], r.key)):
            crosswalk.append(
                {"customer_key": key, "source": r.source, "source_key": r.key, "match_rule": r.rule}
            )
        chosen = survive(group)
        crm_ids = sorted(int(r.key) for r in group if r.source == "crm")
        row: dict[str, Any] = {
            "customer_key": key,
            "crm_customer_id": crm_ids[0] if crm_ids else None,
            "billing_cust_id": min((r.key for r in group if r.source == "billing"), default=None),
            "support_id": min((int(r.key) for r in group if r.source == "support"), default=None),
        }
        for attr in ("name", "email", "phone", "country", "status", "tier"):
            row[attr] = chosen[attr].value
        for attr in ("name", "email", "status", "tier"):
            row[f"{attr}_source"] = chosen[attr].source
            row[f"{attr}_confidence"] = chosen[attr].confidence
        row["sources"] = len({r.source for r in group})
        row["source_records"] = len(group)
        row["last_updated"] = max(r.updated for r in group)
        rows.append(row)
    return pa.Table.from_pylist(crosswalk), pa.Table.from_pylist(rows, schema=C360_SCHEMA)


C360_SCHEMA = pa.schema(
    [
        ("customer_key", pa.string()),
        ("crm_customer_id", pa.int64()),
        ("billing_cust_id", pa.string()),
        ("support_id", pa.int64()),
        ("name", pa.string()),
        ("email", pa.string()),
        ("phone", pa.string()),
        ("country", pa.string()),
        ("status", pa.string()),
        ("tier", pa.string()),
        ("name_source", pa.string()),
        ("name_confidence", pa.float64()),
        ("email_source", pa.string()),
        ("email_confidence", pa.float64()),
        ("status_source", pa.string()),
        ("status_confidence", pa.float64()),
        ("tier_source", pa.string()),
        ("tier_confidence", pa.float64()),
        ("sources", pa.int64()),
        ("source_records", pa.int64()),
        ("last_updated", pa.date32()),
    ]
)


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def run(lake: Lake, log: Callable[[str], None] = print) -> dict[str, Any]:
    recs = read_sources(lake)
    crosswalk, c360 = build(recs)
    lake.put("silver", CROSSWALK_KEY, _parquet(crosswalk))
    lake.put("gold", C360_KEY, _parquet(c360))
    per_source = {s: sum(r.source == s for r in recs) for s in ("crm", "billing", "support")}
    rules_doc = rules.describe() | {
        "inputs": {
            key: hashlib.sha256(lake.get("landing", key)).hexdigest()
            for key in (CRM_KEY, BILLING_KEY, SUPPORT_KEY)
        },
        "counts": {"records": per_source, "customers": c360.num_rows},
        "outputs": {"crosswalk": f"silver/{CROSSWALK_KEY}", "customer_360": f"gold/{C360_KEY}"},
    }
    lake.put("gold", RULES_KEY, json.dumps(rules_doc, indent=2).encode() + b"\n")
    rule_counts: dict[str, int] = defaultdict(int)
    for r in recs:
        rule_counts[f"{r.source}:{r.rule}"] += 1
    log(f"records: {per_source}")
    log(f"matched by: {dict(sorted(rule_counts.items()))}")
    log(f"customers: {c360.num_rows:,}")
    return {"records": per_source, "customers": c360.num_rows}
