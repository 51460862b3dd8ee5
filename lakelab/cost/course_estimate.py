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
from lakelab.clouds import cloud_for
from lakelab.cost import model
from lakelab.cost.catalog import Catalog
from lakelab.cost.course import CoursePlan, Session
from lakelab.cost.estimate import with_stand_ins
from lakelab.cost.model import LineItem
from lakelab.cost.pricing import price_list
from lakelab.errors import UserError
from lakelab.plan import Plan, plan_blueprint
from lakelab.regions import CLOUDS

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
        cloud_for(cloud).region_config_key: region,
    }
    for key, value in course.lab_settings.items():
        config[f"lakelab:{key}"] = value
    return with_stand_ins(config, cloud)


def reference_plan(course: CoursePlan, cloud: str, cat: Catalog) -> Plan:
    config = reference_config(course, cloud, cat)
    try:
        bp = from_config(config, allow_expired=True)
    except BlueprintError as exc:
        raise UserError(str(exc).replace("lakelab:", "lab_settings.")) from None
    return plan_blueprint(bp, config)


# --- sessions -------------------------------------------------------------------------------
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
    prices = price_list(cloud)
    standing = tuple(i for i in prices.standing(plan, cat) if i.when != "lab")
    sessions = tuple(
        SessionCost(i, s, prices.session(plan, s, cat) if cloud in s.clouds else ())
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
