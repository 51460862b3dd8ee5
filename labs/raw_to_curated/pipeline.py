"""The curated pipeline: the shared medallion jobs with validation rules, a quality gate in
front of gold, and a data dictionary. Run it with `python -m labs.raw_to_curated --stack S`.

One run, on the learner's twin:

1. pull the lake into the run mirror and run **bronze and silver** (`lakelab_jobs.pipeline`):
   row rules marked *block* reject rows to quarantine with a reason code;
2. push bronze, silver and quarantine, then evaluate every rule in `rules.py` (block rules
   counted from the quarantine, *warn* rules on silver) into `gold/_quality/rules.json`;
3. the **gate** (`gate.py`) measures the delivery silver merged since gold was last
   published and compares it with the last published one;
4. only if the gate passes does the **gold** stage run and publish `daily_sales`; otherwise
   gold is left byte for byte as it was and the delivery is held;
5. register the tables in the catalog, record the decision in `gold/_quality/gate.json` and
   regenerate `gold/_docs/data_dictionary.md` from the dbt model docs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pyarrow.parquet as pq

from labs.medallion.lakeio import connect, gold_fingerprint, sql_path
from labs.raw_to_curated.dictionary import DICTIONARY_KEY, PublishedTable, render
from labs.raw_to_curated.gate import (
    GATE_KEY,
    THRESHOLDS,
    Decision,
    Thresholds,
    evaluate,
    measure,
    previous_published,
)
from labs.raw_to_curated.rules import RULES, Rule
from lakelab.lake import Lake

RULES_KEY: Final = "_quality/rules.json"
SAMPLE: Final = 5


@dataclass
class CurateResult:
    run_id: str
    rules: dict[str, Any]
    decision: dict[str, Any] | None
    manifests: list[dict[str, Any]] = field(default_factory=list)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _scan(root: Path, layer: str, table: str) -> str | None:
    files = sorted((root / layer / table).rglob("*.parquet"))
    if not files:
        return None
    paths = ", ".join(sql_path(p) for p in files)
    return f"read_parquet([{paths}], hive_partitioning = true, union_by_name = true)"


def evaluate_rules(root: Path, run_id: str, rules: Sequence[Rule] = RULES) -> dict[str, Any]:
    """Every rule's outcome over the mirror: failing rows and a sample of their keys."""
    con = connect()
    keys = {"orders": "order_id", "customers": "customer_id", "products": "product_id"}
    outcomes: list[dict[str, Any]] = []
    try:
        for rule in (r for r in rules if r.severity == "block"):
            rel = _scan(root, "quarantine", rule.entity)
            failed, sample = 0, []
            if rel is not None:
                row = con.execute(
                    f"SELECT count(*), list(DISTINCT {keys[rule.entity]})"
                    f" FROM {rel} WHERE reason_code = ?",
                    [rule.reason_code],
                ).fetchone()
                if row:
                    failed, sample = int(row[0]), sorted(str(k) for k in row[1] or [])[:SAMPLE]
            outcomes.append({**_describe(rule), "failed": failed, "sample": sample})
        orders = _scan(root, "silver", "orders")
        customers = _scan(root, "silver", "customers") or (
            "(SELECT NULL::VARCHAR AS customer_id WHERE false)"
        )
        products = _scan(root, "silver", "products") or (
            "(SELECT NULL::VARCHAR AS product_id, NULL::DECIMAL(12,2) AS list_price WHERE false)"
        )
        for rule in (r for r in rules if r.severity == "warn"):
            if orders is None:
                outcomes.append({**_describe(rule), "failed": None, "sample": []})
                continue
            row = con.execute(
                f"SELECT count(*), list(o.order_id ORDER BY o.order_id)"
                f" FROM {orders} o LEFT JOIN {customers} c USING (customer_id)"
                f" LEFT JOIN {products} p USING (product_id) WHERE {rule.condition}"
            ).fetchone()
            failed = int(row[0]) if row else 0
            sample = [str(k) for k in (row[1] or [])[:SAMPLE]] if row else []
            outcomes.append({**_describe(rule), "failed": failed, "sample": sample})
    finally:
        con.close()
    return {
        "run_id": run_id,
        "evaluated_at": now(),
        "rules": outcomes,
        "summary": {
            "block_rows": sum(o["failed"] or 0 for o in outcomes if o["severity"] == "block"),
            "warn_rows": sum(o["failed"] or 0 for o in outcomes if o["severity"] == "warn"),
        },
    }


def _describe(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "entity": rule.entity,
        "severity": rule.severity,
        "description": rule.description,
        "reason_code": rule.reason_code,
        "action": rule.action,
    }


def merged_batches(root: Path) -> list[str]:
    """Orders batches silver has merged (its watermark)."""
    state = root / "quarantine" / "_lakelab" / "silver.json"
    if not state.is_file():
        return []
    doc = json.loads(state.read_text())
    return list(doc.get("entities", {}).get("orders", {}).get("batches", []))


def read_json(lake: Lake, layer: str, key: str) -> Any:
    return json.loads(lake.get(layer, key)) if key in lake.keys(layer, key) else None


def put_json(lake: Lake, layer: str, key: str, doc: Any) -> None:
    lake.put(layer, key, (json.dumps(doc, indent=2, default=str) + "\n").encode())


def dictionary(lake: Lake, root: Path, state: dict[str, Any], run_id: str) -> str | None:
    """The gold data dictionary for what the lake publishes now; None without a gold table."""
    from lakelab.catalog import hive_type

    gold_files = sorted((root / "gold" / "daily_sales").glob("*.parquet"))
    if not gold_files:
        return None
    schema = pq.read_schema(gold_files[0])
    gold_db = lake.profile.databases.get("gold", "gold")
    history = state.get("history", [])
    last = next((d for d in reversed(history) if d["status"] == "published"), None)
    caveats = []
    if state.get("status") == "held":
        latest = history[-1]
        caveats.append(
            f"Held by the quality gate and NOT included: {', '.join(latest['metrics']['batches'])}"
            f" ({'; '.join(latest['reasons'])})."
        )
    caveats.append(
        "Rows that failed a block rule are not included (see quarantine); rows that failed a"
        f" warn rule are included and listed in gold/{RULES_KEY}."
    )
    published = "never"
    if last:
        batches = ", ".join(last["metrics"]["batches"])
        published = f"run {last['run_id']} at {last['evaluated_at']}: {batches}"
    table = PublishedTable(
        name="daily_sales",
        columns=[(f.name, hive_type(f.type)) for f in schema],
        rows=pq.read_metadata(gold_files[0]).num_rows,
        location=lake.uri("gold", "daily_sales/"),
        catalog_name=f"{gold_db}.daily_sales",
        last_published=published,
        caveats=caveats,
    )
    return render([table], f"the raw-to-curated pipeline (run {run_id})")


def curate(
    stack: str,
    log: Callable[[str], None] = print,
    rules: Sequence[Rule] = RULES,
    thresholds: Thresholds = THRESHOLDS,
) -> CurateResult:
    from lakelab_jobs.jobargs import generated_run_id
    from lakelab_jobs.layout import Lake as JobLake
    from lakelab_jobs.pipeline import RunRequest, run

    from lakelab.lake import lake_for
    from lakelab.twinrun import mirror_root, pull, push, register_catalog, spark_session

    lake = lake_for(stack)
    root = mirror_root(stack)
    root.mkdir(parents=True, exist_ok=True)
    run_id = generated_run_id("curate")
    log(f"pulled {pull(lake, root)} new object(s) from {stack}")
    spark = spark_session(stack)
    jobs = JobLake.under(root)
    done = run(spark, RunRequest(jobs, run_id, "incremental", ("bronze", "silver")))
    manifests = [json.loads(m.to_json()) for m in done]
    push(lake, root)
    report = evaluate_rules(root, run_id, rules)
    for outcome in report["rules"]:
        if outcome["failed"]:
            what = f"{outcome['failed']} row(s) {outcome['action']}"
            log(f"  {outcome['severity']:5} {outcome['id']}: {what}")

    def publish_gold() -> None:
        done = run(spark, RunRequest(jobs, run_id, "incremental", ("gold",)))
        manifests.extend(json.loads(m.to_json()) for m in done)
        push(lake, root)

    state = read_json(lake, "gold", GATE_KEY) or {"published_batches": [], "history": []}
    decision = _gate(lake, root, state, run_id, thresholds, publish_gold, log)
    tables = register_catalog(lake, root)
    log(f"registered {tables} table(s) in the catalog")

    put_json(lake, "gold", RULES_KEY, report)
    put_json(lake, "gold", GATE_KEY, state)
    text = dictionary(lake, root, state, run_id)
    if text is not None:
        lake.put("gold", DICTIONARY_KEY, text.encode())
    return CurateResult(run_id, report, decision.as_dict() if decision else None, manifests)


def _gate(
    lake: Lake,
    root: Path,
    state: dict[str, Any],
    run_id: str,
    thresholds: Thresholds,
    publish_gold: Callable[[], None],
    log: Callable[[str], None],
) -> Decision | None:
    """The quality gate over the deliveries silver merged since the last published one:
    gold is published when every check passes, else held; `state` records the decision."""
    published = set(state.get("published_batches", []))
    candidate = sorted(set(merged_batches(root)) - published)
    if not candidate:
        log("gate: no new delivery since the last decision")
        return None
    metrics = measure(root, candidate)
    checks = evaluate(metrics, previous_published(state), thresholds)
    before = gold_fingerprint(lake)
    passed = all(c.passed for c in checks)
    if passed:
        publish_gold()
        state["published_batches"] = sorted(published | set(candidate))
    decision = Decision(
        run_id=run_id,
        evaluated_at=now(),
        status="published" if passed else "held",
        metrics=metrics.as_dict(),
        checks=checks,
        gold_before=before,
        gold_after=gold_fingerprint(lake),
    )
    state.setdefault("history", []).append(decision.as_dict())
    state["status"] = decision.status
    log(f"gate: {decision.status} {', '.join(candidate)}")
    for reason in decision.reasons:
        log(f"  {reason}")
    return decision


__all__ = ["RULES", "RULES_KEY", "CurateResult", "curate", "evaluate_rules"]
