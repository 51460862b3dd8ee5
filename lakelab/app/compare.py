"""`lakelab compare`: the AWS and Azure builds of one learner's blueprint, side by side.

Output: Markdown on stdout (with `--json`, the same facts as JSON) and in
`<out>/compare-<cohort>-<learner>.md`, and an HTML page with inline SVG charts in
`<out>/compare-<cohort>-<learner>.html` (`--out`, default `.lakelab/reports/` in the project).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from lakelab.settings import RESULTS as RESULTS_ENV

JSON_HELP = (
    "Print one JSON document instead (the reports are still written): {cohort, learner,"
    " warehouse_mode, stacks: {<cloud>: {stack, region, derived_from}}, mapping: [{concept,"
    " <cloud>: {label, resources}}], cost: {weeks, hours_per_week, <cloud>: {idle_per_month,"
    " per_lab_hour, course_per_learner}}, runs: {<target>: {compared, finding, <cloud>}}}."
)


def register(app: typer.Typer) -> None:
    """`lakelab compare`."""

    @app.command()
    def compare(
        learner: Annotated[str, typer.Option(help="The learner's id.")],
        cohort: Annotated[str, typer.Option(help="The learner's cohort.")],
        results: Annotated[
            Path | None,
            typer.Option(
                help=f"Run results folder [env {RESULTS_ENV}; default <twin state>/results]."
            ),
        ] = None,
        out: Annotated[
            Path | None, typer.Option(help="Folder for the .md and .html reports.")
        ] = None,
        weeks: Annotated[
            float | None, typer.Option(min=0.1, help="Course length in weeks.")
        ] = None,
        hours_per_week: Annotated[
            float | None, typer.Option(min=0, help="Lab hours per week.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Compare the AWS and Azure builds of a learner's blueprint: resources, costs, runs."""
        from lakelab.compare import build
        from lakelab.compare_render import to_html, to_json, to_markdown
        from lakelab.stackfiles import project_root

        comparison = build(
            cohort, learner, results=results, weeks=weeks, hours_per_week=hours_per_week
        )
        folder = (out or project_root() / ".lakelab" / "reports").resolve()
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"compare-{cohort}-{learner}"
        markdown = to_markdown(comparison)
        (folder / f"{stem}.md").write_text(markdown, encoding="utf-8")
        (folder / f"{stem}.html").write_text(to_html(comparison), encoding="utf-8")
        if as_json:
            typer.echo(json.dumps(to_json(comparison), indent=2))
        else:
            typer.echo(markdown, nl=False)
        typer.echo(
            f"\nwritten: {folder / (stem + '.md')} and {folder / (stem + '.html')}", err=True
        )
