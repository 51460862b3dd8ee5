"""`lakelab cost --course FILE`: a course plan priced per learner and per cohort, per cloud,
per session and per service, with the basis and the catalog price of every line."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakelab.app.cost import console, unit_usd
from lakelab.clouds import all_targets
from lakelab.cost.catalog import Catalog, catalog_path
from lakelab.cost.course import CoursePlan, load_course
from lakelab.cost.course_estimate import CloudCourse, cohort_course, reference_course
from lakelab.cost.money import usd
from lakelab.errors import UserError
from lakelab.regions import CLOUDS
from lakelab.tables import Table

TITLES = tuple(t.title for t in all_targets())


@dataclass(frozen=True)
class Priced:
    """A course priced for a group of learners: one entry per distinct learner, each counted
    `each` times (the reference learner times --learners, or every cohort learner once)."""

    course: CoursePlan
    cohort: str | None
    learners: dict[str, dict[str, CloudCourse]]
    each: int

    @property
    def headcount(self) -> int:
        return len(self.learners) * self.each

    def total(self, cloud: str) -> float:
        return sum(c[cloud].usd for c in self.learners.values()) * self.each

    def per_learner(self, cloud: str) -> float:
        return self.total(cloud) / self.headcount

    def idle_per_month(self, cloud: str) -> float:
        return max(c[cloud].idle_per_month for c in self.learners.values())


def price(path: Path, cat: Catalog, cohort: str | None, learners: int | None) -> Priced:
    course = load_course(path)
    if cohort is not None:
        return Priced(course, cohort, cohort_course(course, cohort, cat), 1)
    return Priced(course, None, {"reference learner": reference_course(course, cat)}, learners or 1)


# --- text -----------------------------------------------------------------------------------
def _summary(p: Priced) -> Table:
    c = p.course
    cloud_hours = sum(s.hours for s in c.sessions if s.clouds)
    twin_hours = sum(s.hours for s in c.sessions if not s.clouds)
    table = Table(
        title=f"course {c.course}: {c.title} ({c.weeks} weeks, {twin_hours:g} h on the twin,"
        f" {cloud_hours:g} h on the clouds)",
        header_style="bold",
        title_justify="left",
    )
    table.add_column("")
    for title in TITLES:
        table.add_column(title, justify="right")
    first = next(iter(p.learners.values()))
    table.add_row("planned from", *(first[cl].stack for cl in CLOUDS))
    table.add_row("lab stands", *(_stands(first[cl]) for cl in CLOUDS))
    table.add_row("idle per month, per learner", *(usd(p.idle_per_month(cl)) for cl in CLOUDS))
    table.add_row(
        "[bold]course per learner[/]", *(f"[bold]{usd(p.per_learner(cl))}[/]" for cl in CLOUDS)
    )
    table.add_row(
        f"course per cohort ({p.headcount} learners)", *(usd(p.total(cl)) for cl in CLOUDS)
    )
    return table


def _stands(c: CloudCourse) -> str:
    if c.stands is None:
        return "not used"
    return f"weeks {c.stands[0]}-{c.stands[1]} ({c.stand_months:.2f} months)"


def _sessions(p: Priced) -> Table:
    table = Table(title="per session, per learner", header_style="bold", title_justify="left")
    for col in ("#", "week", "hours", "lab", "where", *TITLES, "topic"):
        table.add_column(col, justify="right" if col in ("#", "week", "hours", *TITLES) else "left")
    for i, s in enumerate(p.course.sessions):
        costs = [
            sum(c[cl].sessions[i].usd for c in p.learners.values()) / len(p.learners)
            for cl in CLOUDS
        ]
        table.add_row(
            str(i),
            str(s.week),
            f"{s.hours:g}",
            s.lab,
            s.where,
            *(usd(x) if cl in s.clouds else "-" for x, cl in zip(costs, CLOUDS, strict=True)),
            s.topic,
        )
    return table


def _services(p: Priced) -> Table:
    table = Table(title="per service, per learner", header_style="bold", title_justify="left")
    for col in ("service", *TITLES):
        table.add_column(col, justify="left" if col == "service" else "right")
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for c in p.learners.values():
        for cl in CLOUDS:
            for what, amount in c[cl].by_service().items():
                totals[what][cl] += amount / len(p.learners)
    for what, by in totals.items():
        table.add_row(what, *(usd(by[cl]) if cl in by else "-" for cl in CLOUDS))
    return table


def _lines(c: CloudCourse, learner: str) -> Table:
    table = Table(
        title=f"{c.cloud.upper()} lines: {learner} ({c.stack})",
        header_style="bold",
        title_justify="left",
    )
    for col in ("session", "service", "quantity", "unit price", "cost", "price", "basis"):
        table.add_column(
            col, justify="right" if col in ("quantity", "unit price", "cost") else "left"
        )
    for item in c.standing:
        months = c.stand_months if item.when == "always" else c.idle_months
        span = "month" if item.when == "always" else "idle month"
        table.add_row(
            "standing",
            item.what,
            f"{item.quantity * months:.4g} {item.unit}",
            unit_usd(item.unit_usd),
            usd(c.standing_usd(item)),
            item.price_id,
            f"{item.basis + ', ' if item.basis else ''}x {months:.2f} {span}s",
        )
    for s in c.sessions:
        for item in s.items:
            table.add_row(
                f"{s.index} (week {s.session.week})",
                item.what,
                f"{item.quantity:.4g} {item.unit}",
                unit_usd(item.unit_usd),
                usd(item.usd),
                item.price_id,
                item.basis,
            )
    return table


def _prices(p: Priced, cat: Catalog) -> Table:
    table = Table(
        title=f"prices used ({catalog_path()})", header_style="bold", title_justify="left"
    )
    for col in ("price", "usd", "unit", "minimum", "as of", "source"):
        table.add_column(col)
    for pid in sorted(_price_ids(p)):
        pr = cat.price(pid)
        minimum = f"{pr.minimum:g} {pr.minimum_unit}" if pr.minimum is not None else "-"
        table.add_row(pid, unit_usd(pr.usd), pr.unit, minimum, pr.as_of.isoformat(), pr.source)
    return table


def _price_ids(p: Priced) -> set[str]:
    ids: set[str] = set()
    for c in p.learners.values():
        for cl in CLOUDS:
            ids |= {i.price_id for i in c[cl].standing}
            ids |= {i.price_id for s in c[cl].sessions for i in s.items}
    return ids


def show(p: Priced, cat: Catalog) -> None:
    console.print(_summary(p))
    if p.cohort is not None:
        table = Table(title=f"cohort {p.cohort}", header_style="bold", title_justify="left")
        for col in ("learner", *(f"{t} course" for t in TITLES)):
            table.add_column(col, justify="left" if col == "learner" else "right")
        for learner, c in p.learners.items():
            table.add_row(learner, *(usd(c[cl].usd) for cl in CLOUDS))
        console.print(table)
    console.print(_sessions(p))
    console.print(_services(p))
    for learner, c in p.learners.items():
        for cl in CLOUDS:
            console.print(_lines(c[cl], learner))
    console.print(_prices(p, cat))
    console.print(
        "[dim]note: usage per session comes from the course plan; stage minutes, MB per query"
        " and Spark pool start-up from the catalog's assumptions (docs/cost.md)[/]"
    )


# --- JSON -----------------------------------------------------------------------------------
def _cloud_json(c: CloudCourse) -> dict[str, Any]:
    return {
        "stack": c.stack,
        "stands_weeks": list(c.stands) if c.stands else None,
        "stand_months": round(c.stand_months, 6),
        "idle_months": c.idle_months,
        "idle_per_month": round(c.idle_per_month, 6),
        "course_usd": round(c.usd, 6),
        "by_service": {k: round(v, 6) for k, v in c.by_service().items()},
        "standing": [_item_json(i, c.standing_usd(i)) for i in c.standing],
        "sessions": [
            {
                "index": s.index,
                "week": s.session.week,
                "lab": s.session.lab,
                "where": s.session.where,
                "usd": round(s.usd, 6),
                "items": [_item_json(i, i.usd) for i in s.items],
            }
            for s in c.sessions
        ],
    }


def _item_json(i: Any, amount: float) -> dict[str, Any]:
    return {
        "service": i.what,
        "when": i.when,
        "quantity": round(i.quantity, 6),
        "unit": i.unit,
        "unit_usd": i.unit_usd,
        "usd": round(amount, 6),
        "price": i.price_id,
        "basis": i.basis,
    }


def to_json(p: Priced, cat: Catalog) -> str:
    doc = {
        "course": p.course.course,
        "title": p.course.title,
        "weeks": p.course.weeks,
        "cohort": p.cohort,
        "learners": p.headcount,
        "per_learner": {cl: round(p.per_learner(cl), 6) for cl in CLOUDS},
        "per_cohort": {cl: round(p.total(cl), 6) for cl in CLOUDS},
        "idle_per_month_per_learner": {cl: round(p.idle_per_month(cl), 6) for cl in CLOUDS},
        "by_learner": {
            learner: {cl: _cloud_json(c[cl]) for cl in CLOUDS} for learner, c in p.learners.items()
        },
        "prices": {
            pid: {
                "usd": cat.price(pid).usd,
                "unit": cat.price(pid).unit,
                "minimum": cat.price(pid).minimum,
                "minimum_unit": cat.price(pid).minimum_unit,
                "as_of": cat.price(pid).as_of.isoformat(),
                "source": cat.price(pid).source,
            }
            for pid in sorted(_price_ids(p))
        },
    }
    return json.dumps(doc, indent=2)


def run(path: Path, cat: Catalog, cohort: str | None, learners: int | None, as_json: bool) -> None:
    if cohort is not None and learners is not None:
        raise UserError("name a cohort with --cohort or a head count with --learners, not both")
    priced = price(path, cat, cohort, learners)
    if as_json:
        print(to_json(priced, cat))
    else:
        show(priced, cat)
