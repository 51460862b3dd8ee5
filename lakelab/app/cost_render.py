"""What `lakelab cost` prints: tables per learner and per cohort, line items, JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lakelab.app.cost import course_label, unit_usd
from lakelab.clouds import all_targets
from lakelab.cost.catalog import catalog_path, load_catalog
from lakelab.cost.estimate import Estimate, LearnerEstimate
from lakelab.cost.money import usd
from lakelab.regions import CLOUDS
from lakelab.tables import Table


def _table(title: str) -> Table:
    return Table(title=title, header_style="bold", title_justify="left")


def items_table(est: Estimate) -> Table:
    title = f"{est.cloud.upper()} line items: {est.stack}"
    if est.derived_from:
        title += f" (derived from {est.derived_from})"
    table = Table(title=title, header_style="bold", title_justify="left")
    for col in ("item", "when", "quantity", "unit price", "cost", "basis"):
        table.add_column(
            col, justify="right" if col in ("quantity", "unit price", "cost") else "left"
        )
    for item in est.items:
        table.add_row(
            item.what,
            "per lab hour"
            if item.when == "lab"
            else ("idle months" if item.when == "idle" else "monthly"),
            f"{item.quantity:.4g} {item.unit}",
            unit_usd(item.unit_usd),
            usd(item.usd),
            item.basis,
        )
    return table


def notes(estimates: list[Estimate]) -> list[str]:
    cat = load_catalog()
    regions = " and ".join(cat.reference_regions[c] for c in CLOUDS)
    notes = [
        f"prices: {catalog_path().name} (list prices for {regions}, recorded"
        f" {cat.oldest_price.isoformat()} or later; check the source pages before quoting)",
        "usage: the catalog's assumptions for a typical lab (docs/cost.md)",
    ]
    other = sorted({f"{e.stack} ({e.region})" for e in estimates if e.region != e.priced_region})
    if other:
        notes.append("priced at reference-region prices: " + ", ".join(other))
    derived = sorted({f"{e.stack} from {e.derived_from}" for e in estimates if e.derived_from})
    if derived:
        notes.append("no stack file, planned from a counterpart: " + ", ".join(derived))
    return notes


def estimate_json(est: Estimate, weeks: float, hours: float) -> dict[str, Any]:
    course = est.course(weeks, hours)
    return {
        "stack": est.stack,
        "cloud": est.cloud,
        "region": est.region,
        "priced_region": est.priced_region,
        "derived_from": est.derived_from,
        "idle_per_month": round(est.idle_per_month, 6),
        "per_lab_hour": round(est.per_lab_hour, 6),
        "course_per_learner": round(course.usd, 6),
        "course_month": round(est.course_month(hours), 6),
        "budget_usd": est.budget_usd,
        "items": [
            {
                "what": i.what,
                "when": i.when,
                "quantity": round(i.quantity, 6),
                "unit": i.unit,
                "unit_usd": i.unit_usd,
                "usd": round(i.usd, 6),
                "price": i.price_id,
                "basis": i.basis,
            }
            for i in est.items
        ],
    }


def as_json(group: str, learners: list[LearnerEstimate], w: float, h: float) -> dict[str, Any]:
    return {
        "cohort": group,
        "weeks": w,
        "hours_per_week": h,
        "learners": [
            {"learner": le.learner, "rostered": list(le.rostered)}
            | {c: estimate_json(le.on(c), w, h) for c in CLOUDS}
            for le in learners
        ],
        "cohort_total": {
            c: round(sum(le.on(c).course(w, h).usd for le in learners), 6) for c in CLOUDS
        },
    }


def learner_table(group: str, le: LearnerEstimate, w: float, h: float) -> Table:
    table = _table(f"cost estimate: learner {le.learner} of cohort {group}, from the plan")
    table.add_column("")
    for target in all_targets():
        table.add_column(target.title, justify="right")
    each = le.each()
    table.add_row("stack", *(e.stack for e in each))
    table.add_row("planned resources", *(str(e.resources) for e in each))
    table.add_row("idle per month", *(usd(e.idle_per_month) for e in each))
    table.add_row("per lab hour", *(usd(e.per_lab_hour) for e in each))
    course_row = f"course per learner ({course_label(w, h)})"
    table.add_row(course_row, *(usd(e.course(w, h).usd) for e in each))
    table.add_row(
        f"a course month ({h:g} lab hours a week)", *(usd(e.course_month(h)) for e in each)
    )
    table.add_row("monthly budget", *(usd(e.budget_usd) for e in each))
    return table


def cohort_table(group: str, learners: list[LearnerEstimate], w: float, h: float) -> Table:
    table = _table(
        f"cost estimate: cohort {group} ({len(learners)} learners), from the offline"
        f" plans; course = {course_label(w, h)}"
    )
    table.add_column("learner")
    table.add_column("rostered on")
    for target in all_targets():
        table.add_column(f"{target.title} course", justify="right")
    table.add_column("monthly budget", justify="right")
    for le in learners:
        table.add_row(
            le.learner,
            ", ".join(le.rostered),
            *(usd(e.course(w, h).usd) for e in le.each()),
            usd(le.on(le.rostered[0] if le.rostered else CLOUDS[0]).budget_usd),
        )
    n = len(learners)
    totals = {c: [le.on(c) for le in learners] for c in CLOUDS}
    table.add_section()
    sums: dict[str, Callable[[list[Estimate]], float]] = {
        "cohort idle per month": lambda es: sum(e.idle_per_month for e in es),
        "cohort per lab hour": lambda es: sum(e.per_lab_hour for e in es),
        "course per learner (mean)": lambda es: sum(e.course(w, h).usd for e in es) / n,
    }
    for label, total in sums.items():
        table.add_row(label, "", *(usd(total(totals[c])) for c in CLOUDS), "")
    table.add_row(
        "[bold]course per cohort[/]",
        "",
        *(f"[bold]{usd(sum(e.course(w, h).usd for e in totals[c]))}[/]" for c in CLOUDS),
        "",
    )
    return table


def as_rostered(learners: list[LearnerEstimate], w: float, h: float) -> str:
    rostered = sum(le.on(c).course(w, h).usd for le in learners for c in le.rostered)
    counts = " + ".join(
        f"{sum(1 for le in learners if t.name in le.rostered)} {t.title}" for t in all_targets()
    )
    return f"as rostered ({counts} labs): {usd(rostered)} for the course"


def footer(estimates: list[Estimate], w: float, h: float) -> list[str]:
    """The over-budget warning, then the notes."""
    lines = []
    over = [
        f"{e.stack} ({usd(e.course_month(h))} > {usd(e.budget_usd)})"
        for e in estimates
        if e.course_month(h) > e.budget_usd
    ]
    if over:
        lines.append(
            f"[yellow]a course month at {h:g} lab hours a week is over the monthly budget:[/] "
            + ", ".join(over)
        )
    return lines + [f"[dim]note: {note}[/]" for note in notes(estimates)]
