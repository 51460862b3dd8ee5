"""Asking before a command destroys something; `--yes` / `-y` answers for the user.

The destructive commands (`cohort down`, `local rm`, `local down --purge`, `lab reset`) work
out what they would destroy, without changing anything, and call `ask` with it:

- with `--yes`, they go ahead;
- in a terminal, they list what goes (counted) and ask `Proceed? [y/N]`; anything but yes
  prints "nothing changed" and exits 0;
- without a terminal on stdin (CI, scripts, pipes), or with `--json` (whose stdout is a
  document, not a conversation), they refuse in one line and exit 2:
  `error: <command> destroys <what>; pass --yes to confirm`.

When there is nothing to destroy a command does not ask: it has nothing to confirm.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.console import Console

from lakelab.errors import UserError

YesOpt = Annotated[
    bool,
    typer.Option(
        "--yes",
        "-y",
        help="Destroy without asking; needed when stdin is not a terminal, and with --json.",
    ),
]


def is_interactive() -> bool:
    """Whether someone can answer the question: stdin is a terminal.

    This is the seam the tests replace (`monkeypatch.setattr(confirm, "is_interactive", ...)`)
    to stand for a terminal under Typer's CliRunner, whose stdin never is one."""
    return sys.stdin.isatty()


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 stack`, `4 stacks`."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def ask(
    command: str,
    what: str,
    items: Sequence[str],
    *,
    yes: bool,
    as_json: bool = False,
    console: Console | None = None,
) -> None:
    """Return when the command may destroy `what` (a counted phrase, e.g. `4 stacks of cohort
    demo`); `items` are the lines listed before the question. Raises `UserError` (exit 2)
    when nobody can answer and `--yes` was not given, and `typer.Exit(0)` on a "no"."""
    if yes:
        return
    if as_json or not is_interactive():
        raise UserError(f"{command} destroys {what}; pass --yes to confirm")
    out = console or Console(highlight=False)
    out.print(f"{command} destroys {what}:", markup=False)
    for item in items:
        out.print(f"  {item}", markup=False)
    if not typer.confirm("Proceed?", default=False):
        out.print("nothing changed")
        raise typer.Exit(0)
