"""Sub-commands whose module is imported only when one of them runs.

`lakelab --help` lists every sub-command by name and one-line help; it does not need the
modules behind them. A group registered with `stub()` shows in `--help` like any other; the
root group (`LazyGroup`) swaps in the real sub-app the moment the command line (or shell
completion) names it, so `lakelab lab ...` behaves exactly as if it had been added eagerly.
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

import typer
from typer import _click
from typer.core import TyperGroup


def stub() -> typer.Typer:
    """An empty sub-app standing in for a lazy one in `--help` (name and help come from the
    `add_typer` call)."""
    return typer.Typer()


class LazyGroup(TyperGroup):
    """A root group whose `LAZY` sub-commands (name -> module with a Typer `app`) are loaded
    when they are resolved, not when the root group is built."""

    LAZY: ClassVar[dict[str, str]] = {}

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        name, cmd, rest = super().resolve_command(ctx, args)
        if name in self.LAZY and cmd is not None and not getattr(cmd, "_lakelab_loaded", False):
            cmd = self._load(name, cmd)
        return name, cmd, rest

    def _load(self, name: str, placeholder: _click.Command) -> _click.Command:
        module: Any = importlib.import_module(self.LAZY[name])
        real = typer.main.get_group(module.app)
        real.name = name
        real.help = placeholder.help or real.help
        real._lakelab_loaded = True  # type: ignore[attr-defined]
        self.commands[name] = real
        return real
