"""The `lakelab` command: the app layer on top of everything else.

Each area's commands live in a module of this package (`plan`, `workload`, `cost`, `compare`,
`cohort`, `labs`, `local`); this module only assembles them. Errors that users can fix are
raised as `lakelab.errors.UserError` and printed by `lakelab.app.errors.run_app` as one line,
without a traceback.

Modules import what is heavy (Pulumi, the cloud SDKs, Spark, DuckDB, the twin) inside their
commands, and `lab` is loaded only when named (`lakelab.app.lazy`), so `lakelab --help`
loads none of it (tests/app/test_lazy_imports.py).
"""

from __future__ import annotations

from typing import Annotated, ClassVar

import typer

from lakelab.app.errors import run_app
from lakelab.app.lazy import LazyGroup, stub


class _Root(LazyGroup):
    # Imported when named on the command line: the labs framework loads blueprints and YAML.
    LAZY: ClassVar[dict[str, str]] = {"lab": "lakelab.app.labs"}


app = typer.Typer(
    cls=_Root,
    name="lakelab",
    help="Per-learner data-engineering labs on AWS, Azure and a local twin.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # `lakelab --install-completion` / `--show-completion` for bash, zsh, fish and PowerShell.
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"lakelab {version('lakelab')}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Per-learner data-engineering labs on AWS, Azure and a local twin."""


def _register() -> None:
    from lakelab.app import compare, cost, plan, verify, workload
    from lakelab.app.cohort import app as cohort_app
    from lakelab.app.data import app as data_app
    from lakelab.app.local import app as local_app
    from lakelab.app.pipeline import app as pipeline_app

    plan.register(app)
    workload.register(app)
    cost.register(app)
    compare.register(app)
    verify.register(app)
    app.add_typer(
        cohort_app, name="cohort", help="Run whole cohorts: roster, stacks, status, teardown."
    )
    app.add_typer(data_app, name="data", help="Sample data for a learner's lake.")
    app.add_typer(
        pipeline_app,
        name="pipeline",
        help="The pipeline definition on the twin: run, backfill, history, step, airflow-dag.",
    )
    app.add_typer(stub(), name="lab", help="Self-grading labs on the local twin.")
    app.add_typer(local_app, name="local", help="Run the local twin: emulators and learner stacks.")


_register()


def main() -> None:
    run_app(app)
