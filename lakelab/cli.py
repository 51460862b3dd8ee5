"""The `lakelab` command.

Each concern registers its own Typer sub-app here; the commands themselves live next to the
code they drive (`localcloud/cli.py`, `lakelab/plan_cli.py`, ...). Errors that users can fix
are raised as `lakelab.errors.UserError` and printed as one line, without a traceback.
"""

from __future__ import annotations

import typer

from lakelab.errors import run_app

app = typer.Typer(
    name="lakelab",
    help="Per-learner data-engineering labs on AWS, Azure and a local twin.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    # Imported here so `lakelab --help` stays fast and one broken area cannot hide the others.
    from lakelab import compare, plan_cli, workload_cli
    from lakelab.cohort.cli import app as cohort_app
    from lakelab.cost import cli as cost_cli

    plan_cli.register(app)
    workload_cli.register(app)
    cost_cli.register(app)
    compare.register(app)
    app.add_typer(
        cohort_app, name="cohort", help="Run whole cohorts: roster, stacks, status, teardown."
    )
    from lakelab.labs.cli import app as lab_app

    app.add_typer(lab_app, name="lab", help="Self-grading labs on the local twin.")
    try:
        from localcloud.cli import app as local_app
    except ImportError:  # pragma: no cover - the local twin is part of every install
        return
    app.add_typer(local_app, name="local", help="Run the local twin: emulators and learner stacks.")


_register()


def main() -> None:
    run_app(app)
