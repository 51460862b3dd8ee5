"""The raw-to-curated lab: rules marked block or warn, the quality gate and the dictionary."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from lab_harness import ALICE, check_json, failing, lakelab, reset
from lakelab_jobs.contract import DAILY_SALES_SCHEMA, REASONS
from twin_harness import TwinEnv

from labs.raw_to_curated.checks import Expected
from labs.raw_to_curated.dictionary import (
    PublishedTable,
    documented_columns,
    load_models,
    one_line,
    render,
)
from labs.raw_to_curated.gate import Metrics, evaluate
from labs.raw_to_curated.generator import raw_to_curated
from labs.raw_to_curated.rules import BLOCK, RULES, WARN
from lakelab.lake import lake_for

LAB = "raw-to-curated"
SEED = 20261122


@pytest.mark.parametrize("factor", [0.02, 0.3, 1.0])
def test_day1_passes_the_gate_and_the_short_export_trips_it(factor: float) -> None:
    exp = Expected(None, raw_to_curated(SEED, factor))  # type: ignore[arg-type]
    day1, day2 = exp.metrics(1), exp.metrics(2)
    assert all(c.passed for c in evaluate(day1, None))
    tripped = {c.id for c in evaluate(day2, day1) if not c.passed}
    assert {"rows-vs-previous:pos", "rows-vs-previous:web", "revenue-vs-previous"} <= tripped
    # every warn rule has something to flag
    assert all(n > 0 for n in exp.warn_counts().values())


def test_template_as_given_lets_the_short_export_through() -> None:
    from labs.raw_to_curated import template

    exp = Expected(None, raw_to_curated(SEED, 0.02))  # type: ignore[arg-type]
    checks = evaluate(exp.metrics(2), exp.metrics(1), template.THRESHOLDS)
    tripped = {c.id for c in checks if not c.passed}
    assert not tripped & {"rows-vs-previous:pos", "rows-vs-previous:web", "revenue-vs-previous"}
    rules = {r.id: r for r in template.WARN_RULES}
    assert (
        set(rules) == set(exp.warn_counts()) and rules["order-price-near-list"].condition == "false"
    )


def test_gate_checks_each_source_against_the_last_published_delivery() -> None:
    previous = Metrics(["d1-pos", "d1-web"], {"pos": 100, "web": 80}, 2, Decimal("1000.00"))
    fine = Metrics(["d2-pos", "d2-web"], {"pos": 90, "web": 70}, 3, Decimal("900.00"))
    assert all(c.passed for c in evaluate(fine, previous))
    missing_source = Metrics(["d2-web"], {"web": 80}, 0, Decimal("950.00"))
    tripped = [c for c in evaluate(missing_source, previous) if not c.passed]
    assert {c.id for c in tripped} == {"rows-min:pos", "rows-vs-previous:pos"}
    assert "pos: 0 rows received" in tripped[0].message


def test_rules_are_block_or_warn_and_cover_the_reason_codes() -> None:
    assert {r.severity for r in RULES} == {"block", "warn"}
    assert len({r.id for r in RULES}) == len(RULES)
    assert {r.reason_code for r in BLOCK} <= set(REASONS)
    assert all(r.condition for r in WARN) and all(r.reason_code for r in BLOCK)


def test_dictionary_resolves_dbt_docs_and_reads_back() -> None:
    model = load_models()["daily_sales"]
    assert model.grain == ("order_date", "product_id", "region")
    table = PublishedTable(
        "daily_sales", list(DAILY_SALES_SCHEMA), 3, "s3://b/daily_sales/", "db.daily_sales", "r1"
    )
    text = render([table], "a test")
    assert "{{" not in text and "doc(" not in text
    listed = documented_columns(text, "daily_sales")
    assert listed["revenue"] == (
        "decimal(18,2)",
        one_line(next(c.description for c in model.columns if c.name == "revenue")),
    )
    assert "| `fct_orders` |" in text  # the other marts are listed too


@pytest.mark.slow
@pytest.mark.parametrize("stack", ALICE)
def test_check_fails_fresh_and_passes_after_run(lab_env: TwinEnv, stack: str) -> None:
    reset(LAB, stack)
    try:
        code, before = check_json(LAB, stack)
        assert code == 1 and before["passed"] == 0, before

        started = lakelab("lab", "start", LAB, "--stack", stack)
        assert started.exit_code == 0, started.output
        code, fresh = check_json(LAB, stack)
        assert code == 1 and set(failing(fresh)) == set(failing(before))

        ran = lakelab("lab", "run", LAB, "--stack", stack)
        assert ran.exit_code == 0, ran.output
        code, after = check_json(LAB, stack)
        assert code == 0 and after["ok"], [c for c in after["criteria"] if not c["passed"]]
        assert after["total"] == fresh["total"] == 10

        gate = json.loads(lake_for(stack).get("gold", "_quality/gate.json"))
        assert [d["status"] for d in gate["history"]] == ["published", "held"]
        assert gate["history"][1]["gold_before"] == gate["history"][1]["gold_after"]
        assert any("rows received" in r for r in gate["history"][1]["reasons"])

        # Delivering the short export again changes nothing that was graded.
        again = lakelab("lab", "break", "short-export", "--lab", LAB, "--stack", stack)
        assert again.exit_code == 0, again.output
        assert check_json(LAB, stack)[0] == 0
    finally:
        reset(LAB, stack)
