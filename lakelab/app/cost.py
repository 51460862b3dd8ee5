"""`lakelab cost`: AWS and Azure side by side, for one learner's stack or a whole cohort."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from lakelab.errors import UserError

console = Console(highlight=False)


def unit_usd(value: float) -> str:
    """A unit price as listed (up to four significant digits)."""
    return "$0" if value == 0 else f"${value:.4g}"


def course_label(weeks: float, hours_per_week: float) -> str:
    return f"{weeks:g} weeks x {hours_per_week:g} h = {weeks * hours_per_week:g} lab hours"


JSON_HELP = (
    "Print one JSON document instead: {cohort, weeks, hours_per_week, learners: [{learner,"
    " rostered, <cloud>: {stack, cloud, region, priced_region, derived_from, idle_per_month,"
    " per_lab_hour, course_per_learner, course_month, budget_usd, items}}], cohort_total:"
    " {<cloud>}}; with --course: {course, title, weeks, cohort, learners, per_learner,"
    " per_cohort, idle_per_month_per_learner, by_learner, prices}"
)


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
        typer.Option("--learners", min=1, help="With --course: a cohort of N reference learners"),
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
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Estimate idle, per-lab-hour and course costs on AWS and Azure, from the plan."""
    from lakelab.cost.catalog import load_catalog

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
    _print_estimates(stack, cohort, cat, w, h, details, as_json)


def _print_estimates(
    stack: str | None,
    cohort: str | None,
    cat: Any,
    w: float,
    h: float,
    details: bool,
    as_json: bool,
) -> None:
    """One learner's estimate (`stack`, with every line item) or a cohort's, or the JSON."""
    from lakelab.app import cost_render

    group, learners = _learners(stack, cohort, cat)
    if as_json:
        print(json.dumps(cost_render.as_json(group, learners, w, h), indent=2))
        return
    if stack is not None:
        console.print(cost_render.learner_table(group, learners[0], w, h))
        details = True
    else:
        console.print(cost_render.cohort_table(group, learners, w, h))
        console.print(cost_render.as_rostered(learners, w, h))
    estimates = [e for le in learners for e in le.each()]
    if details:
        for est in estimates:
            console.print(cost_render.items_table(est))
    for line in cost_render.footer(estimates, w, h):
        console.print(line)


def register(app: typer.Typer) -> None:
    """`lakelab cost`."""
    app.command()(cost)


def _learners(stack: str | None, cohort: str | None, cat: Any) -> tuple[str, list[Any]]:
    """The cohort's name and its learners' estimates: one learner (`stack`) or all."""
    from lakelab.cost.estimate import cohort_learners, learner_estimate
    from lakelab.stackfiles import load_blueprint

    if stack is not None:
        bp = load_blueprint(stack, allow_expired=True)
        return bp.cohort, [learner_estimate(bp.cohort, bp.learner, cat)]
    assert cohort is not None
    names = cohort_learners(cohort)
    if not names:
        raise UserError(f"no stack belongs to cohort {cohort!r}")
    return cohort, [learner_estimate(cohort, n, cat) for n in names]
