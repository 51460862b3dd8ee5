"""Grading the raw-to-curated lab.

Expected numbers come from the generator's ledger (the fate of every landed row), from
DuckDB over the day-1 landing files (what gold must hold while day 2 is held), and from the
dbt model docs (what the dictionary must say).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from lakelab_jobs.contract import CUSTOMERS, DAILY_SALES_SCHEMA, ORDERS, PRODUCTS

from labs.medallion.expected import Sales, mismatches, reference_gold
from labs.medallion.generator import VALID, Ledger
from labs.medallion.lakeio import (
    ENTITIES,
    Snapshot,
    attempt,
    failed,
    gold_fingerprint,
    gold_rows,
    grade_criteria,
)
from labs.raw_to_curated.dictionary import (
    DICTIONARY_KEY,
    documented_columns,
    load_models,
    one_line,
)
from labs.raw_to_curated.gate import GATE_KEY, Metrics, evaluate, source_of
from labs.raw_to_curated.generator import Scenario, raw_to_curated
from labs.raw_to_curated.pipeline import RULES_KEY
from labs.raw_to_curated.rules import BLOCK
from lakelab.labs.framework import Criterion, LabContext

CRITERIA: Final = (
    ("quarantine-reasons", "rejected rows of both days are in quarantine with their reason"),
    ("quarantine-lineage", "every quarantined row keeps its reason, source file, run id, batch"),
    ("block-rules", "the rules report counts each block rule's rejected rows"),
    ("warn-rules", "warn rules flag their rows and silver keeps them"),
    ("gate-day1", "the gate published day 1, with the delivery's numbers"),
    ("gate-day2", "the gate held the short day-2 export and says why"),
    ("gold-day1-only", "gold daily_sales holds day 1 only (DuckDB over the day-1 files)"),
    ("gold-unchanged", "holding day 2 left gold byte for byte as day 1 published it"),
    ("dictionary-columns", "the data dictionary documents every gold column from the dbt docs"),
    ("dictionary-context", "the dictionary gives grain, meaning and the held delivery"),
)


class Expected:
    def __init__(self, ctx: LabContext, scenario: Scenario) -> None:
        self.ctx = ctx
        self.scenario = scenario
        self.ledger = scenario.both.ledger
        self._gold: Sales | None = None

    @property
    def gold_day1(self) -> Sales:
        if self._gold is None:
            self._gold = reference_gold(self.scenario.day1.files, self.ctx.work_dir)
        return self._gold

    def metrics(self, day: int) -> Metrics:
        landing = self.scenario.day1 if day == 1 else self.scenario.day2
        batches = landing.batches("orders")
        rows = landing.ledger.rows["orders"]
        received: dict[str, int] = {}
        for b in batches:
            received[source_of(b)] = received.get(source_of(b), 0) + sum(r.batch == b for r in rows)
        revenue = _revenue(self.scenario.day1.ledger)
        if day == 2:
            revenue = _revenue(self.ledger) - revenue
        return Metrics(batches, received, sum(r.fate != VALID for r in rows), revenue)

    def warn_counts(self) -> dict[str, int]:
        orders = self.ledger.silver(ORDERS).values()
        customers = self.ledger.silver(CUSTOMERS)
        products = self.ledger.silver(PRODUCTS)
        known = [o for o in orders if o["product_id"] in products]
        return {
            "order-customer-known": sum(o["customer_id"] not in customers for o in orders),
            "order-product-known": sum(o["product_id"] not in products for o in orders),
            "order-price-near-list": sum(
                abs(o["unit_price"] - products[o["product_id"]]["list_price"])
                > Decimal("0.5") * products[o["product_id"]]["list_price"]
                for o in known
            ),
        }


def _revenue(ledger: Ledger) -> Decimal:
    return sum((v[2] for v in ledger.daily_sales().values()), Decimal("0.00"))


def _quarantine(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    expected = {e: exp.ledger.quarantine(e) for e in ENTITIES}
    found: dict[str, dict[str, int]] = {}
    for e in ENTITIES:
        rel = snap.parquet("quarantine", f"{e}/")
        rows = (
            []
            if rel is None
            else snap.rows(f"SELECT coalesce(reason_code, 'NULL'), count(*) FROM {rel} GROUP BY 1")
        )
        found[e] = dict(sorted((str(r), int(n)) for r, n in rows))
    return attempt("quarantine-reasons", CRITERIA[0][1], expected, found)


def _lineage(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    expected: dict[str, Any] = {}
    found: dict[str, Any] = {}
    for e in ENTITIES:
        expected[e] = {"rows": sum(exp.ledger.quarantine(e).values()), "incomplete": 0}
        rel = snap.parquet("quarantine", f"{e}/")
        if rel is None:
            found[e] = {"rows": 0, "incomplete": 0}
            continue
        rows, incomplete = snap.one(
            f"SELECT count(*), count(*) FILTER (WHERE reason_code IS NULL OR _source_file IS NULL"
            f" OR _run_id IS NULL OR batch IS NULL) FROM {rel}"
        )
        found[e] = {"rows": int(rows), "incomplete": int(incomplete)}
    return attempt("quarantine-lineage", CRITERIA[1][1], expected, found)


def _report(snap: Snapshot) -> dict[str, dict[str, Any]]:
    doc = snap.json("gold", RULES_KEY)
    if doc is None:
        raise LookupError(f"no rules report at gold/{RULES_KEY}")
    return {r["id"]: r for r in doc.get("rules", [])}


def _block(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    report = _report(snap)
    expected = {
        r.id: {
            "failed": exp.ledger.quarantine(r.entity).get(r.reason_code or "", 0),
            "action": "quarantined",
        }
        for r in BLOCK
    }
    found = {r.id: {k: report.get(r.id, {}).get(k) for k in ("failed", "action")} for r in BLOCK}
    return attempt("block-rules", CRITERIA[2][1], expected, found)


def _warn(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    report = _report(snap)
    counts = exp.warn_counts()  # the lab's warn rules; rules a learner adds are not graded
    expected = {
        "rules": {rule: {"failed": n, "action": "flagged"} for rule, n in counts.items()},
        "silver_orders": len(exp.ledger.silver(ORDERS)),
    }
    found = {
        "rules": {
            rule: {k: report.get(rule, {}).get(k) for k in ("failed", "action")} for rule in counts
        },
        "silver_orders": snap.count("silver", "orders/"),
    }
    return attempt("warn-rules", CRITERIA[3][1], expected, found)


def _history(snap: Snapshot) -> list[dict[str, Any]]:
    doc = snap.json("gold", GATE_KEY)
    if doc is None:
        raise LookupError(f"no gate decisions at gold/{GATE_KEY}")
    return list(doc.get("history", []))


def _decision_for(history: list[dict[str, Any]], batches: list[str]) -> dict[str, Any] | None:
    """The latest decision on exactly these batches."""
    matching = [d for d in history if d.get("metrics", {}).get("batches") == batches]
    return matching[-1] if matching else None


def _gate_day1(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    metrics = exp.metrics(1)
    checks = evaluate(metrics, None)
    expected = {
        "status": "published" if all(c.passed for c in checks) else "held",
        "metrics": metrics.as_dict(),
    }
    decision = _decision_for(_history(snap), metrics.batches)
    found = None if decision is None else {k: decision.get(k) for k in ("status", "metrics")}
    return attempt("gate-day1", CRITERIA[4][1], expected, found)


def _gate_day2(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    metrics = exp.metrics(2)
    expected = {
        "status": "held",
        "metrics": metrics.as_dict(),
        "a row-count check tripped": True,
        "the revenue check tripped": True,
        "latest decision, with reasons": True,
    }
    history = _history(snap)
    decision = _decision_for(history, metrics.batches)
    if decision is None:
        return failed("gate-day2", CRITERIA[5][1], expected, "no decision on the day-2 batches")
    tripped = [c["id"] for c in decision.get("checks", []) if not c.get("passed")]
    found = {
        "status": decision.get("status"),
        "metrics": decision.get("metrics"),
        "a row-count check tripped": any(t.startswith("rows-") for t in tripped),
        "the revenue check tripped": "revenue-vs-previous" in tripped,
        "latest decision, with reasons": decision is history[-1] and bool(decision.get("reasons")),
    }
    return attempt("gate-day2", CRITERIA[5][1], expected, found)


def _gold(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    rows = gold_rows(snap)
    expected = {"rows": len(exp.gold_day1), "mismatched": 0}
    found = {"rows": len(rows), "mismatched": mismatches(rows, exp.gold_day1)}
    return attempt("gold-day1-only", CRITERIA[6][1], expected, found)


def _unchanged(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    now = gold_fingerprint(ctx.lake)
    history = _history(snap)
    day1 = _decision_for(history, exp.metrics(1).batches) or {}
    day2 = _decision_for(history, exp.metrics(2).batches) or {}
    found = {
        "published with day 1": day1.get("gold_after"),
        "before day 2": day2.get("gold_before"),
        "after day 2": day2.get("gold_after"),
    }
    if now is None:
        return failed("gold-unchanged", CRITERIA[7][1], "the gold table's fingerprint", found)
    return attempt("gold-unchanged", CRITERIA[7][1], dict.fromkeys(found, now), found)


def _dictionary(snap: Snapshot) -> str:
    text = snap.text("gold", DICTIONARY_KEY)
    if text is None:
        raise LookupError(f"no data dictionary at gold/{DICTIONARY_KEY}")
    return text


def _dictionary_columns(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    model = load_models()["daily_sales"]
    docs = {c.name: one_line(c.description) for c in model.columns}
    expected = {name: [kind, docs.get(name, "")] for name, kind in DAILY_SALES_SCHEMA}
    listed = documented_columns(_dictionary(snap), "daily_sales")
    found = {name: list(listed[name]) if name in listed else None for name in expected}
    return attempt("dictionary-columns", CRITERIA[8][1], expected, found)


def _dictionary_context(ctx: LabContext, snap: Snapshot, exp: Expected) -> Criterion:
    text = " ".join(_dictionary(snap).split())
    model = load_models()["daily_sales"]
    held = exp.metrics(2).batches
    found = {
        "model description": one_line(model.description) in text,
        "grain": "one row per `order_date`, `product_id`, `region`" in text,
        "held delivery named": all(b in text for b in held) and "Held by the quality gate" in text,
    }
    return attempt("dictionary-context", CRITERIA[9][1], dict.fromkeys(found, True), found)


CHECKS: Final[tuple[Callable[[LabContext, Snapshot, Expected], Criterion], ...]] = (
    _quarantine,
    _lineage,
    _block,
    _warn,
    _gate_day1,
    _gate_day2,
    _gold,
    _unchanged,
    _dictionary_columns,
    _dictionary_context,
)


def check(ctx: LabContext) -> list[Criterion]:
    return grade_criteria(
        ctx,
        "raw-to-curated",
        CRITERIA,
        CHECKS,
        lambda start: Expected(ctx, raw_to_curated(int(start["seed"]), float(start["scale"]))),
    )
