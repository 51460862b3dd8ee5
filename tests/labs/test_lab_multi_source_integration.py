"""multi-source-integration: the rules, the course's example in the generated sources, and
checks that catch a naive join (logic on an in-memory lake; both twins in the acceptance
tests)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lab_harness import memory_context

from labs.multi_source_integration import LAB, rules
from labs.multi_source_integration.generator import (
    BILLING_KEY,
    CRM_KEY,
    SUPPORT_KEY,
    generate,
)
from labs.multi_source_integration.solution import C360_KEY, CROSSWALK_KEY, RULES_KEY

SEED = 20261122


def test_cleaning_rules() -> None:
    assert rules.clean_name("  SMITH,  JOHN ") == "John Smith"
    assert rules.clean_name("mary o'neill-jones") == "Mary O'Neill-Jones"
    assert rules.clean_name("John  Smith") == "John Smith"
    assert not rules.is_complete("J. Smith") and not rules.is_complete("John S.")
    assert not rules.is_complete("John") and rules.is_complete("John Smith")
    assert rules.names_agree("John S.", "John Smith") and rules.names_agree(
        "J. Smith", "John Smith"
    )
    assert not rules.names_agree("David Jones", "Dave Jones")
    assert rules.clean_email("  John.Smith@Mail.COM ") == "john.smith@mail.com"
    assert rules.clean_email("john@@mail.com") is None and rules.clean_email("n/a") is None
    assert [rules.crm_ref(r) for r in ("1001", "CRM-1001", " 1001", "")] == ["1001"] * 3 + [None]
    assert (
        rules.billing_status("PAST_DUE") == "suspended" and rules.crm_status("Lead") == "prospect"
    )
    assert (
        rules.plan_tier("Enterprise") == "premium" and rules.support_tier(" Premium ") == "premium"
    )
    assert (
        rules.clean_phone("07700900123") == rules.clean_phone("+44 7700 900123") == "+447700900123"
    )


def test_confidence_orders_agreement_over_conflict() -> None:
    from datetime import date

    today = date(2024, 2, 1)
    agree = rules.confidence("status", "billing", 1, 0, today, today)
    alone = rules.confidence("status", "billing", 0, 0, today, today)
    conflict = rules.confidence("status", "billing", 0, 1, today, today)
    stale = rules.confidence("status", "billing", 0, 0, date(2023, 1, 1), today)
    assert 1.0 >= agree > alone > conflict >= 0.0 and stale < alone


def test_sources_carry_the_course_example() -> None:
    land = generate(SEED)
    assert land.crm_csv == generate(SEED).crm_csv
    crm = {r["customer_id"]: r for r in csv.DictReader(io.StringIO(land.crm_csv.decode()))}
    assert crm["1001"]["name"] == "John Smith" and crm["1001"]["status"] == "Active"
    assert crm["1001"]["last_update"] == "2024-01-15"
    billing = list(csv.DictReader(io.StringIO(land.billing_csv.decode()), delimiter=";"))
    john_bill = next(r for r in billing if r["crm_ref"] == "1001")
    assert john_bill["customer_name"] == "J. Smith" and john_bill["account_status"] == "SUSPENDED"
    assert john_bill["modified"] == "20/01/2024"
    support = json.loads(land.support_json)
    john_sup = next(s for s in support if s["id"] == 50001)
    assert john_sup["full_name"] == "John S." and john_sup["tier"] == "premium"
    assert john_sup["updated"].startswith("2024-01-18")
    counts = land.counts()
    assert counts == {"crm": len(crm), "billing": len(billing), "support": len(support)}
    assert len({(r.source, r.key) for p in land.persons for r in p.records}) == sum(counts.values())


@pytest.fixture
def solved(tmp_path: Path):  # type: ignore[no-untyped-def]
    ctx = memory_context(tmp_path, "multi-source-integration")
    LAB.start(ctx)
    assert not any(c.passed for c in LAB.check(ctx))
    LAB.run(ctx)
    return ctx


def test_reference_passes_and_writes_lineage(solved) -> None:  # type: ignore[no-untyped-def]
    results = LAB.check(solved)
    assert all(c.passed for c in results), [c for c in results if not c.passed]
    doc = json.loads(solved.lake.get("gold", RULES_KEY))
    assert doc["version"] == rules.RULES_VERSION
    assert set(doc["inputs"]) == {CRM_KEY, BILLING_KEY, SUPPORT_KEY}
    c360 = pq.read_table(io.BytesIO(solved.lake.get("gold", C360_KEY))).to_pylist()
    john = next(r for r in c360 if r["crm_customer_id"] == 1001)
    assert (john["name"], john["status"], john["tier"]) == ("John Smith", "suspended", "premium")
    assert john["status_source"] == "billing" and john["sources"] == 3


def test_a_naive_join_on_keys_is_caught(solved) -> None:  # type: ignore[no-untyped-def]
    """Joining on the CRM id alone: no e-mail matching, no CRM dedup, support never joins."""
    xwalk = pq.read_table(io.BytesIO(solved.lake.get("silver", CROSSWALK_KEY))).to_pylist()
    naive = []
    for row in xwalk:
        key = row["customer_key"]
        if row["match_rule"] in ("email", "crm_duplicate_email", "account_ref"):
            key = f"X-{row['source']}-{row['source_key']}"
        naive.append(row | {"customer_key": key})
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(naive), sink)
    solved.lake.put("silver", CROSSWALK_KEY, sink.getvalue())
    failed = {c.id: c for c in LAB.check(solved) if not c.passed}
    assert {"matching", "no-lost-customers"} <= set(failed)
    assert failed["matching"].found["people_split"] > 0
