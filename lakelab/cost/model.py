"""The cost arithmetic: small pure functions, one billing rule each.

Nothing here reads files or plans; `lakelab.cost.estimate` feeds these with the plan's sizing
(`cost_inputs`), the catalog's prices and its assumptions. Every function returns a quantity
in the unit its price is quoted in (DPU-hours, TB, RPU-hours, ...) or a USD amount.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final, Literal

DAYS_PER_MONTH: Final = 365 / 12
# DPUs per Glue worker, by worker type.
GLUE_DPU_PER_WORKER: Final[dict[str, float]] = {"G.025X": 0.25, "G.1X": 1, "G.2X": 2, "G.4X": 4}
# vCores per Synapse Spark node, by node size.
SYNAPSE_VCORES_PER_NODE: Final[dict[str, int]] = {"Small": 4, "Medium": 8, "Large": 16}


# --- billing rules ----------------------------------------------------------------------------
def billed_minutes(minutes: float, minimum: float) -> float:
    """Services that bill per second with a minimum charge per run."""
    return max(minutes, minimum) if minutes > 0 else 0.0


def glue_job_dpu_hours(
    runs: float,
    stages: int,
    workers: int,
    dpu_per_worker: float,
    minutes_per_stage: float,
    minimum_minutes: float = 1,
) -> float:
    """Glue Spark jobs: every stage of every run uses `workers` workers for its duration."""
    per_stage = workers * dpu_per_worker * billed_minutes(minutes_per_stage, minimum_minutes) / 60
    return runs * stages * per_stage


def crawler_dpu_hours(
    runs: float, dpus: float, minutes: float, minimum_minutes: float = 10
) -> float:
    """Glue crawlers: per second, at least `minimum_minutes` per run."""
    return runs * dpus * billed_minutes(minutes, minimum_minutes) / 60


def scanned_tb(queries: float, mb_per_query: float, minimum_mb: float, mb_per_tb: float) -> float:
    """Scan-priced SQL (Athena, Synapse serverless): each query bills at least `minimum_mb`."""
    return queries * max(mb_per_query, minimum_mb) / mb_per_tb if queries > 0 else 0.0


def rpu_hours(base_rpu: int, active_minutes: float, minimum_seconds: float = 60) -> float:
    """Redshift Serverless: base capacity for the time queries run, at least 60 s."""
    seconds = billed_minutes(active_minutes * 60, minimum_seconds)
    return base_rpu * seconds / 3600


def spark_pool_vcore_hours(
    sessions: float,
    nodes: int,
    vcores_per_node: int,
    busy_minutes: float,
    startup_minutes: float,
    auto_pause_minutes: float,
) -> float:
    """Synapse Spark: the pool bills every node's vCores from start until it auto-pauses."""
    if sessions <= 0:
        return 0.0
    uptime = startup_minutes + busy_minutes + auto_pause_minutes
    return sessions * nodes * vcores_per_node * uptime / 60


def whole_hours(hours: float) -> float:
    """Services billed by whole hours (a Synapse dedicated pool): partial hours round up."""
    return float(math.ceil(hours)) if hours > 0 else 0.0


def dwu_multiple(sku: str) -> float:
    """A dedicated pool SKU as a multiple of DW100c (DW1000c -> 10)."""
    match = re.fullmatch(r"DW(\d+)c", sku)
    if not match:
        raise ValueError(f"{sku!r} is not a Synapse dedicated pool SKU such as DW100c")
    return int(match.group(1)) / 100


def monthly_hours(hours_per_month: float, count: int = 1) -> float:
    """Always-on resources: every hour of the month."""
    return hours_per_month * count


# --- line items and totals --------------------------------------------------------------------
# always: charged every month, busy or not (storage). idle: only in a month without labs (a
# Data Factory pipeline with no run). lab: per lab hour, while a learner works.
When = Literal["always", "idle", "lab"]


@dataclass(frozen=True)
class LineItem:
    what: str
    when: When
    quantity: float
    unit: str
    unit_usd: float
    price_id: str
    basis: str = ""

    @property
    def usd(self) -> float:
        return self.quantity * self.unit_usd


@dataclass(frozen=True)
class CourseCost:
    weeks: float
    hours_per_week: float
    lab_hours: float
    months: float
    usd: float


def course_months(weeks: float) -> float:
    return weeks * 7 / DAYS_PER_MONTH


def idle_per_month(items: tuple[LineItem, ...]) -> float:
    """What a lab costs in a month nobody works in it."""
    return sum(i.usd for i in items if i.when in ("always", "idle"))


def per_lab_hour(items: tuple[LineItem, ...]) -> float:
    """What one hour of a learner's lab work costs on top of the idle baseline."""
    return sum(i.usd for i in items if i.when == "lab")


def course_cost(items: tuple[LineItem, ...], weeks: float, hours_per_week: float) -> CourseCost:
    """Always-on charges for the course's months plus every lab hour. Idle-only charges do
    not apply: the lab is used every week of the course."""
    months = course_months(weeks)
    lab_hours = weeks * hours_per_week
    always = sum(i.usd for i in items if i.when == "always")
    return CourseCost(
        weeks=weeks,
        hours_per_week=hours_per_week,
        lab_hours=lab_hours,
        months=months,
        usd=always * months + per_lab_hour(items) * lab_hours,
    )


def course_month(items: tuple[LineItem, ...], hours_per_week: float) -> float:
    """A month of the course: always-on charges plus a month's weekly lab hours. This is what
    a learner's monthly budget is measured against."""
    always = sum(i.usd for i in items if i.when == "always")
    return always + per_lab_hour(items) * hours_per_week * DAYS_PER_MONTH / 7


def cost_to_date(
    items: tuple[LineItem, ...], days: float, hours_per_week: float, lab_days: float | None = None
) -> float:
    """An estimate of what a lab has cost since it went up `days` ago: the always-on charges
    for that time plus `hours_per_week` of lab work for each week of it (`lab_days` caps the
    weeks counted, e.g. at the expiry date)."""
    if days <= 0:
        return 0.0
    always = sum(i.usd for i in items if i.when == "always")
    worked = min(days, lab_days) if lab_days is not None else days
    return always * days / DAYS_PER_MONTH + per_lab_hour(items) * hours_per_week * worked / 7
