"""Grading of multi-source-integration against the generator's answer key: who is who (the
true crosswalk) and what each customer's status, tier, name and e-mail must be under the
documented rules. Counts are exact; confidence is graded by ranges and ordering, so a
learner's own scoring formula can pass if it behaves sensibly."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

import pyarrow.parquet as pq

from labs.multi_source_integration.generator import Landscape, Person, generate
from labs.multi_source_integration.solution import C360_KEY, CROSSWALK_KEY
from lakelab.labs.framework import Criterion, LabContext

ATTRS = ("name", "email", "status", "tier")
CRITERIA = (
    ("crosswalk-complete", "every source key is in the crosswalk exactly once"),
    ("matching", "records are grouped into customers correctly (no splits, no merges)"),
    ("customer-count", "the 360 has one row per real customer"),
    ("no-lost-customers", "every crosswalk customer is in the 360 and vice versa"),
    ("status-rule", "status: billing wins, else CRM, else prospect"),
    ("tier-rule", "tier: support, else billing plan"),
    ("email-rule", "email: most recent valid address"),
    ("name-rule", "name: the complete name"),
    ("known-customers", "the walkthrough customers come out as the guide says"),
    ("confidence", "confidence scores are in [0, 1] and lower where sources conflict"),
)


def _table(ctx: LabContext, layer: str, key: str) -> list[dict[str, Any]] | str:
    if key not in ctx.lake.keys(layer, key):
        return "missing"
    try:
        rows: list[dict[str, Any]] = pq.read_table(io.BytesIO(ctx.lake.get(layer, key))).to_pylist()
    except Exception as exc:  # any unreadable file is a finding, not a crash
        return f"unreadable: {str(exc)[:100]}"
    return rows


def _norm(value: Any) -> str:
    return " ".join(str(value).split()).lower() if value is not None else ""


def check(ctx: LabContext) -> list[Criterion]:
    land = generate(ctx.seed)
    xwalk = _table(ctx, "silver", CROSSWALK_KEY)
    c360 = _table(ctx, "gold", C360_KEY)
    if isinstance(xwalk, str) or isinstance(c360, str):
        why = f"crosswalk {xwalk if isinstance(xwalk, str) else 'ok'}," + (
            f" 360 {c360 if isinstance(c360, str) else 'ok'}"
        )
        return [Criterion.holds(cid, text, False, why) for cid, text in CRITERIA]
    return _grade(land, xwalk, c360)


def _grade(
    land: Landscape, xwalk: list[dict[str, Any]], c360: list[dict[str, Any]]
) -> list[Criterion]:
    seen = _listed(xwalk)
    key_of = {k: v[0] for k, v in seen.items()}  # (source, key) -> customer_key
    rows = _golden_rows(land, key_of, c360)
    return [
        _crosswalk_complete(land, seen),
        _matching(land, key_of),
        *_the_360(land, key_of, c360),
        *_attribute_rules(land, rows),
        _known(land, rows),
        _confidence(land, rows, c360),
    ]


def _listed(xwalk: list[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """(source, source_key) -> every customer_key the crosswalk gives it."""
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in xwalk:
        seen[(str(row.get("source")), str(row.get("source_key")).strip())].append(
            str(row.get("customer_key"))
        )
    return seen


def _crosswalk_complete(land: Landscape, seen: dict[tuple[str, str], list[str]]) -> Criterion:
    truth = land.owner()  # (source, key) -> person id
    expected_counts = land.counts()
    found_counts = {s: sum(1 for (src, _k) in seen if src == s) for s in expected_counts}
    twice = sum(1 for keys in seen.values() if len(keys) > 1)
    unknown = sum(1 for k in seen if k not in truth)
    return Criterion.equal(
        "crosswalk-complete",
        "every source key is in the crosswalk exactly once (per source)",
        {**expected_counts, "listed_twice": 0, "unknown_keys": 0},
        {**found_counts, "listed_twice": twice, "unknown_keys": unknown},
    )


def _matching(land: Landscape, key_of: dict[tuple[str, str], str]) -> Criterion:
    """Compare the crosswalk's partition of the records with the truth."""
    by_person: dict[int, set[str]] = defaultdict(set)
    by_customer: dict[str, set[int]] = defaultdict(set)
    for k, pid in land.owner().items():
        if k in key_of:
            by_person[pid].add(key_of[k])
            by_customer[key_of[k]].add(pid)
    split = sorted(pid for pid, keys in by_person.items() if len(keys) > 1)
    merged = sorted(c for c, pids in by_customer.items() if len(pids) > 1)
    return Criterion.equal(
        "matching",
        "source records grouped into customers as they really are",
        {"people_split": 0, "customers_merging_people": 0},
        {"people_split": len(split), "customers_merging_people": len(merged)},
    )


def _the_360(
    land: Landscape, key_of: dict[tuple[str, str], str], c360: list[dict[str, Any]]
) -> list[Criterion]:
    keys_360 = [str(r.get("customer_key")) for r in c360]
    in_xwalk = set(key_of.values())
    return [
        Criterion.equal(
            "customer-count",
            "one 360 row per real customer, customer_key unique",
            {"rows": len(land.persons), "distinct_keys": len(land.persons)},
            {"rows": len(c360), "distinct_keys": len(set(keys_360))},
        ),
        Criterion.equal(
            "no-lost-customers",
            "every crosswalk customer has a 360 row and every 360 row has source keys",
            {"missing_from_360": 0, "without_source_keys": 0},
            {
                "missing_from_360": len(in_xwalk - set(keys_360)),
                "without_source_keys": len(set(keys_360) - in_xwalk),
            },
        ),
    ]


def _golden_rows(
    land: Landscape, key_of: dict[tuple[str, str], str], c360: list[dict[str, Any]]
) -> dict[int, dict[str, Any] | None]:
    """Person id -> their 360 row, where all their records went to one customer."""
    row_of = {str(r.get("customer_key")): r for r in c360}

    def golden(p: Person) -> dict[str, Any] | None:
        keys = {k for r in p.records if (k := key_of.get((r.source, r.key))) is not None}
        return row_of.get(next(iter(keys))) if len(keys) == 1 else None

    return {p.pid: golden(p) for p in land.persons}


ATTRIBUTE_RULES = (
    ("status", "status-rule", "status: billing's account status wins, else CRM, else prospect"),
    ("tier", "tier-rule", "tier: support's tier, else billing's plan"),
    ("email", "email-rule", "email: the most recent valid address (trimmed, lower case)"),
    ("name", "name-rule", "name: the complete name ('John Smith', not 'J. Smith')"),
)


def _attribute_rules(land: Landscape, rows: dict[int, dict[str, Any] | None]) -> list[Criterion]:
    out: list[Criterion] = []
    for attr, cid, text in ATTRIBUTE_RULES:
        wrong = [
            p
            for p in land.persons
            if (got := rows[p.pid]) is None or _norm(got.get(attr)) != _norm(p.expected[attr])
        ]
        found: Any = 0
        if wrong:
            p0 = wrong[0]
            found = {
                "count": len(wrong),
                "e.g.": {
                    "expected": p0.expected[attr],
                    "found": (rows[p0.pid] or {}).get(attr),
                    "keys": [f"{r.source}:{r.key}" for r in p0.records],
                },
            }
        out.append(
            Criterion.holds(cid, f"{text}; customers with another value", not wrong, found, 0)
        )
    return out


def _known(land: Landscape, rows: dict[int, dict[str, Any] | None]) -> Criterion:
    planted = land.planted()
    expected: dict[str, Any] = {}
    found: dict[str, Any] = {}
    for label, fields in (
        ("john-smith", ("name", "status", "status_source", "tier", "tier_source")),
        ("maria-garcia", ("email", "email_source")),
        ("priya-patel", ("billing_cust_id",)),
        ("emma-wilson", ("crm_customer_id",)),
        ("ahmed-khan", ("email", "email_source")),
    ):
        p = planted[label]
        row = rows[p.pid] or {}
        want = {
            "name": p.expected["name"],
            "status": p.expected["status"],
            "status_source": "billing",
            "tier": p.expected["tier"],
            "tier_source": "support",
            "email": p.expected["email"],
            "email_source": "billing" if label == "maria-garcia" else "support",
            "billing_cust_id": next((r.key for r in p.records if r.source == "billing"), None),
            "crm_customer_id": p.expected["crm_survivor"],
        }
        expected[label] = {f: want[f] for f in fields}
        found[label] = {f: row.get(f) for f in fields}
    jones = [rows[p.pid] for p in land.persons if p.label.startswith("david-jones")]
    expected["david-jones"] = "two customers"
    found["david-jones"] = (
        "two customers"
        if all(jones) and len({str((r or {}).get("customer_key")) for r in jones}) == 2
        else "merged or missing"
    )
    return Criterion.equal(
        "known-customers",
        "the guide's walkthrough customers come out as described",
        expected,
        found,
    )


def _confidence(
    land: Landscape, rows: dict[int, dict[str, Any] | None], c360: list[dict[str, Any]]
) -> Criterion:
    out_of_range = 0
    missing = 0
    for r in c360:
        for attr in ATTRS:
            value, score = r.get(attr), r.get(f"{attr}_confidence")
            if value is not None and score is None:
                missing += 1
            elif score is not None and not 0.0 <= float(score) <= 1.0:
                out_of_range += 1
    conflict: list[float] = []
    agree: list[float] = []
    for p in land.persons:
        row = rows[p.pid]
        has_both = {r.source for r in p.records} >= {"crm", "billing"}
        if row is None or not has_both or row.get("status_confidence") is None:
            continue
        target = conflict if p.expected["status_conflict"] else agree
        target.append(float(row["status_confidence"]))
    mean_conflict = round(sum(conflict) / len(conflict), 3) if conflict else None
    mean_agree = round(sum(agree) / len(agree), 3) if agree else None
    john = rows[land.planted()["john-smith"].pid] or {}
    john_status, john_email = john.get("status_confidence"), john.get("email_confidence")
    ok = (
        out_of_range == 0
        and missing == 0
        and mean_conflict is not None
        and mean_agree is not None
        and mean_conflict < mean_agree
        and john_status is not None
        and john_email is not None
        and float(john_status) < 0.8 <= float(john_email)
    )
    return Criterion.holds(
        "confidence",
        "scores in [0, 1] for every value; CRM/billing status conflicts score lower on average"
        " than agreements; John Smith: status < 0.8 <= email",
        ok,
        {
            "out_of_range": out_of_range,
            "missing": missing,
            "status_mean_conflict": mean_conflict,
            "status_mean_agree": mean_agree,
            "john_smith": {"status": john_status, "email": john_email},
        },
        expected={
            "out_of_range": 0,
            "missing": 0,
            "status_mean_conflict": "< status_mean_agree",
            "john_smith": {"status": "< 0.8", "email": ">= 0.8"},
        },
    )
