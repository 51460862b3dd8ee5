"""A course plan, priced: per learner, per cloud, per session and per service.

Each cloud lab is priced from its offline plan (what the program declares for the blueprint:
Glue execution class, crawler or none, base RPU, Spark pool size and auto-pause delay), the
catalog's prices with their billing minimums, and the sessions' usage. Standing charges
(storage) run for the weeks the lab stands: from the week of its first cloud session to the
week of its last. Idle-only charges (a Data Factory pipeline with no run) apply to each month
of that span without a session on that cloud.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Final

from lakelab.blueprint import BlueprintError, from_config
from lakelab.cost import model
from lakelab.cost.catalog import Catalog
from lakelab.cost.course import CoursePlan, Session
from lakelab.cost.estimate import (
    PLACEHOLDER_PRINCIPAL,
    PROVIDER_REGION_KEY,
    aws_items,
    azure_items,
    glue_price_id,
)
from lakelab.cost.model import LineItem
from lakelab.errors import UserError
from lakelab.naming import STAGES
from lakelab.plan import Plan, plan_blueprint

CLOUDS: Final = ("aws", "azure")
# The reference learner a course is planned for when no cohort is named.
REFERENCE_COHORT: Final = "course"
REFERENCE_LEARNER: Final = "learner"


@dataclass(frozen=True)
class SessionCost:
    index: int
    session: Session
    items: tuple[LineItem, ...]

    @property
    def usd(self) -> float:
        return sum(i.usd for i in self.items)


@dataclass(frozen=True)
class CloudCourse:
    """One learner's course on one cloud."""

    cloud: str
    stack: str
    standing: tuple[LineItem, ...]
    stands: tuple[int, int] | None
    idle_months: int
    sessions: tuple[SessionCost, ...]

    @property
    def stand_months(self) -> float:
        if self.stands is None:
            return 0.0
        return model.course_months(self.stands[1] - self.stands[0] + 1)

    @property
    def idle_per_month(self) -> float:
        return model.idle_per_month(self.standing)

    def standing_usd(self, item: LineItem) -> float:
        months = self.stand_months if item.when == "always" else self.idle_months
        return item.usd * months

    @property
    def usd(self) -> float:
        return sum(self.standing_usd(i) for i in self.standing) + sum(s.usd for s in self.sessions)

    def by_service(self) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for item in self.standing:
            out[item.what] += self.standing_usd(item)
        for s in self.sessions:
            for item in s.items:
                out[item.what] += item.usd
        return dict(out)


# --- the reference learner ----------------------------------------------------------------
def reference_config(course: CoursePlan, cloud: str, cat: Catalog) -> dict[str, Any]:
    """Stack config of a course's reference lab on `cloud`: the course's lab settings in the
    catalog's reference region."""
    region = cat.reference_regions[cloud]
    config: dict[str, Any] = {
        "lakelab:cohort": REFERENCE_COHORT,
        "lakelab:learner": REFERENCE_LEARNER,
        "lakelab:course": course.course,
        "lakelab:cloud": cloud,
        "lakelab:region": region,
        "lakelab:expires": "2099-12-31",
        "lakelab:email": "instructor@example.com",
        "lakelab:budgetUsd": 15,
        PROVIDER_REGION_KEY[cloud]: region,
    }
    for key, value in course.lab_settings.items():
        config[f"lakelab:{key}"] = value
    if cloud == "azure":
        access = dict(config.get("lakelab:access") or {})
        access.setdefault("azurePrincipalId", PLACEHOLDER_PRINCIPAL)
        config["lakelab:access"] = access
    return config


def reference_plan(course: CoursePlan, cloud: str, cat: Catalog) -> Plan:
    config = reference_config(course, cloud, cat)
    try:
        bp = from_config(config, allow_expired=True)
    except BlueprintError as exc:
        raise UserError(str(exc).replace("lakelab:", "lab_settings.")) from None
    return plan_blueprint(bp, config)


# --- sessions -------------------------------------------------------------------------------
def _item(cat: Catalog, what: str, quantity: float, price_id: str, basis: str) -> LineItem:
    price = cat.price(price_id)
    return LineItem(what, "lab", quantity, price.unit, price.usd, price_id, basis)


def _count(plan: Plan, type_: str) -> int:
    return len(plan.of_type(type_))


def aws_session(plan: Plan, s: Session, cat: Catalog) -> tuple[LineItem, ...]:
    ci: dict[str, Any] = plan.outputs["cost_inputs"]
    u, a = s.usage, cat.value
    items: list[LineItem] = []
    glue = glue_price_id(ci)
    workers, wtype = int(ci["glue_workers"]), str(ci["glue_worker_type"])
    dpu = model.GLUE_DPU_PER_WORKER[wtype]
    jobs = _count(plan, "aws:glue/job:Job") or len(STAGES)
    minutes, glue_min = a("stage_minutes"), cat.minimum(glue)
    klass = str(ci.get("glue_execution_class", "STANDARD"))
    if u.pipeline_runs:
        items.append(
            _item(
                cat,
                "Glue jobs",
                model.glue_job_dpu_hours(u.pipeline_runs, jobs, workers, dpu, minutes, glue_min),
                glue,
                f"{u.pipeline_runs} runs x {jobs} jobs x {workers} {wtype} x"
                f" max({minutes:g}, {glue_min:g}) min, {klass}",
            )
        )
    if u.spark_minutes:
        items.append(
            _item(
                cat,
                "Glue jobs",
                model.glue_job_dpu_hours(1, 1, workers, dpu, u.spark_minutes, glue_min),
                glue,
                f"{u.spark_minutes:g} min of own Spark work x {workers} {wtype}",
            )
        )
    if u.pipeline_runs and _count(plan, "aws:glue/crawler:Crawler"):
        dpus, crawl, cmin = (
            a("crawler_dpus"),
            a("crawler_minutes"),
            cat.minimum("glue_crawler_dpu_hour"),
        )
        items.append(
            _item(
                cat,
                "Glue crawler",
                model.crawler_dpu_hours(u.pipeline_runs, dpus, crawl, cmin),
                "glue_crawler_dpu_hour",
                f"{u.pipeline_runs} runs x {dpus:g} DPU x max({crawl:g}, {cmin:g}) min",
            )
        )
    items += _scan(cat, "Athena", u.queries, a("adhoc_mb_per_query"), "athena_tb_scanned")
    if u.warehouse_minutes and ci["warehouse_mode"] == "serverless":
        base, rmin = int(ci["redshift_base_rpu"]), cat.minimum("redshift_serverless_rpu_hour")
        items.append(
            _item(
                cat,
                "Redshift Serverless compute",
                model.rpu_hours(base, u.warehouse_minutes, rmin),
                "redshift_serverless_rpu_hour",
                f"{base} RPU x max({u.warehouse_minutes:g} min, {rmin:g} s)"
                f" ({u.warehouse_queries} queries)",
            )
        )
    return tuple(items)


def azure_session(plan: Plan, s: Session, cat: Catalog) -> tuple[LineItem, ...]:
    ci: dict[str, Any] = plan.outputs["cost_inputs"]
    u, a = s.usage, cat.value
    items: list[LineItem] = []
    busy = u.pipeline_runs * len(STAGES) * a("stage_minutes") + u.spark_minutes
    if busy and _count(plan, "azure-native:synapse:BigDataPool"):
        nodes, size = int(ci["spark_min_nodes"]), str(ci["spark_node_size"])
        vcores = model.SYNAPSE_VCORES_PER_NODE[size]
        start, pause = a("spark_pool_startup_minutes"), float(ci["spark_auto_pause_minutes"])
        items.append(
            _item(
                cat,
                "Synapse Spark pool",
                model.spark_pool_vcore_hours(1, nodes, vcores, busy, start, pause),
                "synapse_spark_vcore_hour",
                f"1 start x {nodes} {size} nodes x {vcores} vCores x"
                f" ({start:g} start + {busy:g} busy + {pause:g} auto-pause) min",
            )
        )
    if u.pipeline_runs and _count(plan, "azure-native:datafactory:Pipeline"):
        items.append(
            _item(
                cat,
                "Data Factory activity runs",
                u.pipeline_runs * len(STAGES),
                "adf_activity_run",
                f"{u.pipeline_runs} runs x {len(STAGES)} activities",
            )
        )
    tb = "synapse_serverless_tb_processed"
    items += _scan(cat, "Serverless SQL", u.queries, a("adhoc_mb_per_query"), tb)
    mode = ci["warehouse_mode"]
    if mode == "serverless":
        items += _scan(cat, "Serverless SQL", u.warehouse_queries, a("warehouse_mb_per_query"), tb)
    elif mode == "provisioned" and u.warehouse_minutes:
        sku = str(ci["synapse_dedicated_sku"])
        hours = model.whole_hours(u.warehouse_minutes / 60)
        items.append(
            _item(
                cat,
                f"Dedicated SQL pool {sku}",
                hours * model.dwu_multiple(sku),
                "synapse_dw100c_hour",
                f"{u.warehouse_minutes:g} min billed as {hours:g} whole h x"
                f" {model.dwu_multiple(sku):g} x DW100c",
            )
        )
    return tuple(items)


def _scan(cat: Catalog, what: str, queries: int, mb: float, price_id: str) -> list[LineItem]:
    if not queries:
        return []
    floor = cat.minimum(price_id)
    return [
        _item(
            cat,
            what,
            model.scanned_tb(queries, mb, floor, cat.value("mb_per_tb")),
            price_id,
            f"{queries} queries x max({mb:g}, {floor:g}) MB",
        )
    ]


# --- the course -----------------------------------------------------------------------------
def idle_months(course: CoursePlan, cloud: str) -> int:
    """Months of the lab's standing span with no session on `cloud` (counted from the first
    session's week, one month = 365/12 days)."""
    stands = course.stands_weeks(cloud)
    if stands is None:
        return 0
    first, last = stands
    days = (last - first + 1) * 7
    months = math.ceil(days / model.DAYS_PER_MONTH)
    busy = {int((s.week - first) * 7 // model.DAYS_PER_MONTH) for s in course.cloud_sessions(cloud)}
    return months - len(busy)


def price_course(course: CoursePlan, plan: Plan, cat: Catalog) -> CloudCourse:
    cloud = plan.cloud
    standing_of = aws_items if cloud == "aws" else azure_items
    session_of = aws_session if cloud == "aws" else azure_session
    standing = tuple(i for i in standing_of(plan, cat) if i.when != "lab")
    sessions = tuple(
        SessionCost(i, s, session_of(plan, s, cat) if cloud in s.clouds else ())
        for i, s in enumerate(course.sessions)
    )
    return CloudCourse(
        cloud=cloud,
        stack=plan.stack,
        standing=standing,
        stands=course.stands_weeks(cloud),
        idle_months=idle_months(course, cloud),
        sessions=sessions,
    )


def reference_course(course: CoursePlan, cat: Catalog) -> dict[str, CloudCourse]:
    """The course for its reference learner, on both clouds."""
    return {c: price_course(course, reference_plan(course, c, cat), cat) for c in CLOUDS}


def cohort_course(course: CoursePlan, cohort: str, cat: Catalog) -> dict[str, dict[str, Any]]:
    """The course for every learner of a cohort, each priced from their own stacks (or a
    counterpart on the cloud they have none on)."""
    from lakelab.cost.estimate import cohort_learners, learner_plans

    names = cohort_learners(cohort)
    if not names:
        raise UserError(f"no stack belongs to cohort {cohort!r}")
    out: dict[str, dict[str, Any]] = {}
    for learner in names:
        plans = learner_plans(cohort, learner)
        out[learner] = {c: price_course(course, plans[c][0], cat) for c in CLOUDS}
    return out
