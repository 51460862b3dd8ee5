"""`lakelab cost`: AWS and Azure side by side, for one learner's stack or a whole cohort."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from lakelab.cost.money import usd
from lakelab.errors import UserError

console = Console(highlight=False)


def unit_usd(value: float) -> str:
    """A unit price as listed (up to four significant digits)."""
    return "$0" if value == 0 else f"${value:.4g}"


def course_label(weeks: float, hours_per_week: float) -> str:
    return f"{weeks:g} weeks x {hours_per_week:g} h = {weeks * hours_per_week:g} lab hours"


def _items_table(est: Any) -> Table:
    from lakelab.cost.estimate import Estimate

    assert isinstance(est, Estimate)
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


def _notes(estimates: list[Any], weeks: float, hours: float) -> list[str]:
    from lakelab.cost.catalog import catalog_path, load_catalog

    cat = load_catalog()
    notes = [
        f"prices: {catalog_path().name} (list prices for {cat.reference_regions['aws']} and"
        f" {cat.reference_regions['azure']}, recorded {cat.oldest_price.isoformat()} or later;"
        " check the source pages before quoting)",
        "usage: the catalog's assumptions for a typical lab (docs/cost.md)",
    ]
    other = sorted({f"{e.stack} ({e.region})" for e in estimates if e.region != e.priced_region})
    if other:
        notes.append("priced at reference-region prices: " + ", ".join(other))
    derived = sorted({f"{e.stack} from {e.derived_from}" for e in estimates if e.derived_from})
    if derived:
        notes.append("no stack file, planned from a counterpart: " + ", ".join(derived))
    return notes


def _estimate_json(est: Any, weeks: float, hours: float) -> dict[str, Any]:
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


def register(app: typer.Typer) -> None:
    @app.command()
    def cost(
        stack: Annotated[
            str | None, typer.Option("--stack", "-s", help="A learner's stack, e.g. demo-alice-aws")
        ] = None,
        cohort: Annotated[str | None, typer.Option(help="Every learner of a cohort")] = None,
        course: Annotated[
            Path | None,
            typer.Option(help="A course plan (courses/*.yaml): price its sessions"),
        ] = None,
        headcount: Annotated[
            int | None,
            typer.Option(
                "--learners", min=1, help="With --course: a cohort of N reference learners"
            ),
        ] = None,
        weeks: Annotated[
            float | None, typer.Option(min=0.1, help="Course length in weeks [catalog default]")
        ] = None,
        hours_per_week: Annotated[
            float | None,
            typer.Option(min=0, help="Lab hours per learner per week [catalog default]"),
        ] = None,
        details: Annotated[
            bool, typer.Option(help="Show every line item (always on with --stack)")
        ] = False,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the estimates as JSON")
        ] = False,
    ) -> None:
        """Estimate idle, per-lab-hour and course costs on AWS and Azure, from the plan."""
        from lakelab.clouds import all_targets
        from lakelab.cost.catalog import load_catalog
        from lakelab.cost.estimate import LearnerEstimate, cohort_learners, learner_estimate
        from lakelab.regions import CLOUDS
        from lakelab.stackfiles import load_blueprint

        if course is not None:
            from lakelab.app import course_cost

            if stack is not None or weeks is not None or hours_per_week is not None:
                raise UserError(
                    "--course prices the plan's own sessions; drop --stack, --weeks and"
                    " --hours-per-week"
                )
            course_cost.run(course, load_catalog(), cohort, headcount, as_json)
            return
        if headcount is not None:
            raise UserError("--learners goes with --course")
        if (stack is None) == (cohort is None):
            raise UserError("name one stack with --stack, or a cohort with --cohort")
        cat = load_catalog()
        w = weeks if weeks is not None else cat.course.weeks
        h = hours_per_week if hours_per_week is not None else cat.course.hours_per_week
        learners: list[LearnerEstimate]
        if stack is not None:
            bp = load_blueprint(stack, allow_expired=True)
            learners = [learner_estimate(bp.cohort, bp.learner, cat)]
            group = bp.cohort
        else:
            assert cohort is not None
            names = cohort_learners(cohort)
            if not names:
                raise UserError(f"no stack belongs to cohort {cohort!r}")
            learners = [learner_estimate(cohort, n, cat) for n in names]
            group = cohort
        estimates = [e for le in learners for e in le.each()]

        if as_json:
            doc = {
                "cohort": group,
                "weeks": w,
                "hours_per_week": h,
                "learners": [
                    {
                        "learner": le.learner,
                        "rostered": list(le.rostered),
                    }
                    | {c: _estimate_json(le.on(c), w, h) for c in CLOUDS}
                    for le in learners
                ],
                "cohort_total": {
                    c: round(sum(le.on(c).course(w, h).usd for le in learners), 6) for c in CLOUDS
                },
            }
            print(json.dumps(doc, indent=2))
            return

        if stack is not None:
            le = learners[0]
            table = Table(
                title=f"cost estimate: learner {le.learner} of cohort {group}, from the plan",
                header_style="bold",
                title_justify="left",
            )
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
            console.print(table)
            details = True
        else:
            table = Table(
                title=f"cost estimate: cohort {group} ({len(learners)} learners), from the offline"
                f" plans; course = {course_label(w, h)}",
                header_style="bold",
                title_justify="left",
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
            table.add_row(
                "cohort idle per month",
                "",
                *(usd(sum(e.idle_per_month for e in totals[c])) for c in totals),
                "",
            )
            table.add_row(
                "cohort per lab hour",
                "",
                *(usd(sum(e.per_lab_hour for e in totals[c])) for c in totals),
                "",
            )
            table.add_row(
                "course per learner (mean)",
                "",
                *(usd(sum(e.course(w, h).usd for e in totals[c]) / n) for c in totals),
                "",
            )
            table.add_row(
                "[bold]course per cohort[/]",
                "",
                *(f"[bold]{usd(sum(e.course(w, h).usd for e in totals[c]))}[/]" for c in totals),
                "",
            )
            console.print(table)
            rostered = sum(le.on(c).course(w, h).usd for le in learners for c in le.rostered)
            counts = " + ".join(
                f"{sum(1 for le in learners if t.name in le.rostered)} {t.title}"
                for t in all_targets()
            )
            console.print(f"as rostered ({counts} labs): {usd(rostered)} for the course")
        if details:
            for est in estimates:
                console.print(_items_table(est))
        over = [
            f"{e.stack} ({usd(e.course_month(h))} > {usd(e.budget_usd)})"
            for e in estimates
            if e.course_month(h) > e.budget_usd
        ]
        if over:
            console.print(
                f"[yellow]a course month at {h:g} lab hours a week is over the monthly budget:[/] "
                + ", ".join(over)
            )
        for note in _notes(estimates, w, h):
            console.print(f"[dim]note: {note}[/]")
