"""The one Rich table every lakelab command prints: no cell is ever cut short.

Rich's default cuts a cell that does not fit with an ellipsis ("demo-alice-…"), which turns
an id a reader must copy into a wrong one. Here every column folds what does not fit onto the
next line instead, and the columns that hold ids (`ID_HEADERS`, or `ids=` for a table's own)
are as wide as their longest id, so the other columns wrap first; only a terminal too narrow
for the ids themselves folds an id (whole, over two lines).

(Rich's `no_wrap` would not do: a cell that may not wrap is cropped, without even an
ellipsis. A fixed `width` takes a column out of Rich's first round of narrowing.)
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

from rich import table as rich_table
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

# Column headers whose cells are ids: stack and learner names, lab and criterion ids, ...
ID_HEADERS: Final = frozenset(
    {
        "stack",
        "learner",
        "lab",
        "cohort",
        "criterion",
        "id",
        "policy",
        "resource",
        "name",
        "identity",
        "run",
        "drill",
        "step",
    }
)


class Table(rich_table.Table):
    def __init__(self, *args: Any, ids: Collection[str] = ID_HEADERS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ids = frozenset(ids)

    def add_column(self, header: Any = "", *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(header, *args, **kwargs)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for column in self.columns:
            if isinstance(column.header, str) and column.header in self._ids:
                column.no_wrap = False
                column.width = max(
                    (_cell_width(cell) for cell in (column.header, *column._cells)), default=1
                )
        yield from super().__rich_console__(console, options)


def _cell_width(cell: Any) -> int:
    """The widest line of a cell as printed (markup removed)."""
    text = Text.from_markup(cell) if isinstance(cell, str) else cell
    if not isinstance(text, Text):
        return 1
    return max((cell_len(line) for line in text.plain.splitlines()), default=1)
