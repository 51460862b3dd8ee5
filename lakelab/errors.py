"""User-facing errors: one clear line, no traceback, a non-zero exit."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def short(value: object, width: int = 60) -> str:
    """A value as one line of at most `width` characters, for tables and messages."""
    import json

    text = (
        value if isinstance(value, str) else json.dumps(value, default=str, separators=(",", ":"))
    )
    return text if len(text) <= width else text[: width - 3] + "..."


class UserError(Exception):
    """Something the user can fix: bad input, a missing prerequisite, a busy port."""

    exit_code = 2


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
