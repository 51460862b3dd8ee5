"""Running the command-line app: known errors become one `error:` line, no traceback."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from lakelab.errors import UserError

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _known_errors() -> tuple[type[BaseException], ...]:
    from lakelab.blueprint import BlueprintError
    from lakelab.stackfiles import StackNotFound

    return (UserError, BlueprintError, StackNotFound)


def run_app(app: typer.Typer) -> None:
    """Run a Typer app, turning known errors into a single `error:` message."""
    try:
        result = app(standalone_mode=False)
    except _known_errors() as exc:
        err_console.print(f"[bold red]error:[/] {exc}", markup=True)
        sys.exit(getattr(exc, "exit_code", 2))
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # click usage errors and friends
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    # Without standalone mode click hands back `typer.Exit` codes instead of exiting.
    if isinstance(result, int) and result:
        sys.exit(result)
