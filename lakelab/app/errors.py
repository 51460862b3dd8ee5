"""Running the command-line app: known errors become one `error:` line, no traceback."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from lakelab.errors import UserError

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def known_errors() -> tuple[type[BaseException], ...]:
    """The errors a user can fix: printed as one line, never as a traceback."""
    from lakelab.blueprint import BlueprintError
    from lakelab.stackfiles import BadStackName, StackNotFound

    return (UserError, BlueprintError, StackNotFound, BadStackName)


def run_app(app: typer.Typer, args: list[str] | None = None) -> None:
    """Run a Typer app, turning known errors and usage errors into a single `error:` line."""
    from typer._click.exceptions import NoArgsIsHelpError

    try:
        result = app(args=args, prog_name="lakelab", standalone_mode=False)
    except known_errors() as exc:
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
    except NoArgsIsHelpError as exc:  # a bare group: its help is the answer
        typer.echo(exc.format_message(), err=True)
        sys.exit(2)
    except typer.TyperException as exc:
        # Typer vendors its own click: usage errors (unknown option or command, a missing or
        # invalid value) are TyperExceptions, not click.ClickException. One line, exit 2.
        message = " ".join(exc.format_message().split())
        message = message.replace(": Value error, ", ": ")  # the validator's own prefix
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            message += f" (see '{ctx.command_path} --help')"
        err_console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
        sys.exit(2)
    # Without standalone mode click hands back `typer.Exit` codes instead of exiting.
    if isinstance(result, int) and result:
        sys.exit(result)
