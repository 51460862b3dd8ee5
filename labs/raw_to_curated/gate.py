"""The quality gate: whether a delivery may be published to gold.

Row rules judge rows; the gate judges a whole delivery (the landing batches silver has
merged since gold was last published) against the last delivery that was published:

| check | trips when |
|---|---|
| `rows-min` | a source (pos, web) delivered fewer than `min_rows_per_source` rows |
| `rows-vs-previous` | a source delivered less than `rows_vs_previous` of its previous delivery |
| `revenue-vs-previous` | the revenue it adds to gold is outside `revenue_band` x the previous |
| `reject-rate` | more than `max_reject_rate` of the delivery's rows were quarantined |

A tripped gate leaves gold exactly as it was; the delivery stays in silver (processed, not
curated) and is held until a later run passes the gate. Every decision is kept in
`gold/_quality/gate.json` with its numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from labs.medallion.lakeio import connect, sql_path

GATE_KEY: Final = "_quality/gate.json"


@dataclass(frozen=True)
class Thresholds:
    min_rows_per_source: int = 10
    rows_vs_previous: float = 0.7
    revenue_band: tuple[float, float] = (0.5, 2.0)
    max_reject_rate: float = 0.10


THRESHOLDS: Final = Thresholds()


@dataclass
class Metrics:
    batches: list[str]
    received: dict[str, int]  # rows per source (the batch name's suffix: pos, web)
    rejected: int
    revenue_added: Decimal

    @property
    def rows(self) -> int:
        return sum(self.received.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "batches": self.batches,
            "received": dict(sorted(self.received.items())),
            "rejected": self.rejected,
            "revenue_added": str(self.revenue_added),
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Metrics:
        return cls(
            list(doc["batches"]),
            {k: int(v) for k, v in doc["received"].items()},
            int(doc["rejected"]),
            Decimal(doc["revenue_added"]),
        )


@dataclass
class Check:
    id: str
    passed: bool
    value: str
    threshold: str
    message: str  # why it tripped; "ok" when it passed

    def __post_init__(self) -> None:
        if self.passed:
            self.message = "ok"


@dataclass
class Decision:
    run_id: str
    evaluated_at: str
    status: str  # published | held
    metrics: dict[str, Any]
    checks: list[Check] = field(default_factory=list)
    gold_before: str | None = None
    gold_after: str | None = None

    @property
    def reasons(self) -> list[str]:
        return [c.message for c in self.checks if not c.passed]

    def as_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["reasons"] = self.reasons
        return doc


def source_of(batch: str) -> str:
    return batch.rsplit("-", 1)[-1]


def evaluate(metrics: Metrics, previous: Metrics | None, t: Thresholds = THRESHOLDS) -> list[Check]:
    checks = []
    sources = sorted({*metrics.received, *(previous.received if previous else {})})
    for source in sources:
        got = metrics.received.get(source, 0)
        checks.append(
            Check(
                f"rows-min:{source}",
                got >= t.min_rows_per_source,
                str(got),
                f">= {t.min_rows_per_source}",
                f"{source}: {got} rows received, fewer than {t.min_rows_per_source}",
            )
        )
        if previous is not None:
            before = previous.received.get(source, 0)
            floor = before * t.rows_vs_previous
            checks.append(
                Check(
                    f"rows-vs-previous:{source}",
                    got >= floor,
                    str(got),
                    f">= {floor:g} ({t.rows_vs_previous:.0%} of {before})",
                    f"{source}: {got} rows received, less than {t.rows_vs_previous:.0%} of the"
                    f" {before} in the last published delivery",
                )
            )
    if previous is not None:
        low, high = (previous.revenue_added * Decimal(str(f)) for f in t.revenue_band)
        ok = low <= metrics.revenue_added <= high
        checks.append(
            Check(
                "revenue-vs-previous",
                ok,
                str(metrics.revenue_added),
                f"{low:.2f} .. {high:.2f}",
                f"revenue added {metrics.revenue_added} is outside {t.revenue_band[0]:g}x to"
                f" {t.revenue_band[1]:g}x the {previous.revenue_added} of the last published"
                " delivery",
            )
        )
    rate = metrics.rejected / metrics.rows if metrics.rows else 1.0
    checks.append(
        Check(
            "reject-rate",
            rate <= t.max_reject_rate,
            f"{rate:.4f}",
            f"<= {t.max_reject_rate}",
            f"{metrics.rejected} of {metrics.rows} rows quarantined ({rate:.1%}), more than"
            f" {t.max_reject_rate:.0%}",
        )
    )
    return checks


def measure(root: Path, batches: list[str]) -> Metrics:
    """The delivery's numbers from the run mirror (`<root>/<layer>/...`): rows received per
    source (bronze), rows rejected (quarantine), and the revenue publishing would add (silver
    without cancelled orders, minus what gold holds now)."""
    con = connect()
    try:
        listed = ", ".join(f"'{b}'" for b in batches) or "NULL"

        def scan(layer: str, table: str) -> str | None:
            files = sorted((root / layer / table).rglob("*.parquet"))
            if not files:
                return None
            paths = ", ".join(sql_path(p) for p in files)
            return f"read_parquet([{paths}], hive_partitioning = true, union_by_name = true)"

        received: dict[str, int] = {}
        bronze = scan("bronze", "orders")
        if bronze is not None:
            for batch, n in con.execute(
                f"SELECT batch, count(*) FROM {bronze} WHERE batch IN ({listed}) GROUP BY 1"
            ).fetchall():
                source = source_of(str(batch))
                received[source] = received.get(source, 0) + int(n)
        rejected = 0
        quarantine = scan("quarantine", "orders")
        if quarantine is not None:
            row = con.execute(
                f"SELECT count(*) FROM {quarantine} WHERE batch IN ({listed})"
            ).fetchone()
            rejected = int(row[0]) if row else 0
        candidate = Decimal("0.00")
        silver = scan("silver", "orders")
        if silver is not None:
            row = con.execute(
                f"SELECT coalesce(sum(amount), 0) FROM {silver} WHERE status <> 'cancelled'"
            ).fetchone()
            candidate = Decimal(row[0]) if row else candidate
        published = Decimal("0.00")
        gold = scan("gold", "daily_sales")
        if gold is not None:
            row = con.execute(f"SELECT coalesce(sum(revenue), 0) FROM {gold}").fetchone()
            published = Decimal(row[0]) if row else published
    finally:
        con.close()
    return Metrics(sorted(batches), received, rejected, candidate - published)


def previous_published(state: dict[str, Any]) -> Metrics | None:
    for decision in reversed(state.get("history", [])):
        if decision.get("status") == "published":
            return Metrics.from_dict(decision["metrics"])
    return None
