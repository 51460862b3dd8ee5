"""Reading a roster file (CSV or YAML) into rows with line numbers, within firm limits.

A roster comes from outside (a spreadsheet export, a hand-edited file), so reading it can
neither crash nor be made slow:

- the file is at most 1 MiB (`MAX_BYTES`);
- a CSV field may be as long as the file (Python's csv module stops at 131,072 characters),
  and the raised limit holds only while this module reads;
- YAML anchors and aliases (`&a`, `*a`) are refused before anything is built from them, so
  neither an alias bomb nor a recursive alias reaches the parser's constructor, and nesting
  deeper than `MAX_DEPTH` is refused;
- each field has a length limit (`MAX_LENGTH`), reported with its line like every problem.

`lakelab.cohort.roster` validates the rows.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

from lakelab.errors import UserError

COLUMNS: Final[tuple[str, ...]] = ("id", "name", "email", "clouds", "azurePrincipalId")
REQUIRED: Final[tuple[str, ...]] = ("id", "name", "email", "clouds")
MAX_NAME: Final = 100
# Header spellings accepted for each column (compared lowercased, without spaces, _ and -).
_ALIASES: Final[dict[str, str]] = {
    "id": "id",
    "learner": "id",
    "learnerid": "id",
    "name": "name",
    "email": "email",
    "clouds": "clouds",
    "cloud": "clouds",
    "azureprincipalid": "azurePrincipalId",
}
MAX_BYTES: Final = 1024 * 1024
MAX_DEPTH: Final = 10
# The longest value of each column: a display name; an email address (RFC 5321's 254); the rest.
MAX_LENGTH: Final[dict[str, int]] = {
    "id": 256,
    "name": MAX_NAME,
    "email": 254,
    "clouds": 256,
    "azurePrincipalId": 256,
}


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "roster"
        return (
            f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class Row:
    line: int
    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    # YAML rows name their keys; a CSV row lacks only columns the header already reports.
    keyed: bool = False

    def line_of(self, column: str) -> int:
        return self.lines.get(column, self.line)


# --- reading ----------------------------------------------------------------------------------
def shown(value: object, limit: int = 40) -> str:
    """A value quoted for a message, shortened when it is long (a message stays one line)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 5]}... ({len(str(value))} characters)"


def length_problems(row: Row) -> list[Problem]:
    """Fields longer than their column allows (checked before anything else reads them)."""
    found = []
    for col, limit in MAX_LENGTH.items():
        value = row.values.get(col)
        size = sum(len(str(v)) for v in value) if isinstance(value, list) else len(str(value or ""))
        if size > limit:
            found.append(Problem(row.line_of(col), col, f"is {size} characters; at most {limit}"))
    return found


@contextlib.contextmanager
def _long_csv_fields() -> Iterator[None]:
    """Let a CSV field be as long as a roster may be, while this module reads one."""
    before = csv.field_size_limit(MAX_BYTES)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _column(header: str) -> str | None:
    return _ALIASES.get(re.sub(r"[\s_-]", "", header.strip().lower()))


def _read_csv(text: str, problems: list[Problem]) -> list[Row]:
    reader = csv.reader(io.StringIO(text))
    try:
        with _long_csv_fields():
            return _csv_rows(reader, problems)
    except csv.Error as exc:
        problems.append(Problem(reader.line_num or None, None, f"not valid CSV: {exc}"))
        return []


def _csv_rows(reader: Any, problems: list[Problem]) -> list[Row]:
    header: list[str | None] | None = None
    header_line = 0
    rows: list[Row] = []
    previous_end = 0
    for record in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue
        if record[0].lstrip().startswith("#"):
            continue
        if header is None:
            header_line = line
            header = []
            seen: set[str] = set()
            for cell in record:
                col = _column(cell)
                if col is None:
                    problems.append(
                        Problem(
                            line,
                            None,
                            f"unknown column {shown(cell.strip())} (columns: {', '.join(COLUMNS)})",
                        )
                    )
                elif col in seen:
                    problems.append(Problem(line, None, f"column {col!r} appears twice"))
                    col = None
                else:
                    seen.add(col)
                header.append(col)
            for col in REQUIRED:
                if col not in seen:
                    problems.append(Problem(line, None, f"missing column {col!r}"))
            continue
        if len(record) != len(header):
            problems.append(
                Problem(
                    line,
                    None,
                    f"has {len(record)} fields; the header on line {header_line} has {len(header)}",
                )
            )
            continue
        values = {col: cell.strip() for col, cell in zip(header, record, strict=True) if col}
        rows.append(Row(line, values))
    if header is None:
        problems.append(
            Problem(None, None, "is empty; expected a header row and one row per learner")
        )
    return rows


def _scalar(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag.endswith(":null") else str(node.value).strip()
    if isinstance(node, yaml.SequenceNode):
        return [_scalar(item) for item in node.value]
    return node  # a mapping where a value belongs: reported by the caller


def _yaml_shape(text: str) -> Problem | None:
    """Refuse anchors, aliases and deep nesting from the event stream, before any node is
    built (an alias bomb or a recursive alias would otherwise cost the composer)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return Problem(
                    line,
                    None,
                    "YAML anchors and aliases (&name, *name) are not allowed in a roster;"
                    " write each learner out",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return Problem(line, None, f"nests deeper than {MAX_DEPTH} levels")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # the composer reports it, with its line
    return None


def _read_yaml(text: str, problems: list[Problem]) -> list[Row]:
    shape = _yaml_shape(text)
    if shape is not None:
        problems.append(shape)
        return []
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problems.append(Problem(line, None, f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return []
    if root is None:
        problems.append(Problem(None, None, "is empty; expected a list of learners"))
        return []
    items = _learners_node(root, problems)
    if items is None:
        return []
    rows: list[Row] = []
    for item in items.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            problems.append(
                Problem(line, None, f"a learner is a mapping with keys {', '.join(COLUMNS)}")
            )
            continue
        rows.append(_yaml_row(item, problems))
    return rows


def _learners_node(root: yaml.Node, problems: list[Problem]) -> yaml.SequenceNode | None:
    """The list of learners: the document itself, or its `learners:` key."""
    items: yaml.Node | None = root
    if isinstance(root, yaml.MappingNode):
        items = None
        for key, value in root.value:
            if _scalar(key) == "learners":
                items = value
            else:
                problems.append(
                    Problem(
                        key.start_mark.line + 1,
                        None,
                        f"unknown key {shown(_scalar(key))} (expected 'learners')",
                    )
                )
        if items is None:
            problems.append(Problem(root.start_mark.line + 1, None, "has no 'learners:' list"))
            return None
    if not isinstance(items, yaml.SequenceNode):
        assert items is not None
        problems.append(Problem(items.start_mark.line + 1, None, "'learners' must be a list"))
        return None
    return items


def _yaml_row(item: yaml.MappingNode, problems: list[Problem]) -> Row:
    """One learner's mapping as a row; unknown, repeated and nested keys are problems."""
    row = Row(item.start_mark.line + 1, {}, keyed=True)
    for key, value in item.value:
        name = _scalar(key)
        col = _column(str(name)) if isinstance(name, str) else None
        key_line = key.start_mark.line + 1
        if col is None:
            problems.append(
                Problem(key_line, None, f"unknown key {shown(name)} (keys: {', '.join(COLUMNS)})")
            )
            continue
        if col in row.values:
            problems.append(Problem(key_line, col, "appears twice"))
            continue
        val = _scalar(value)
        if isinstance(val, yaml.Node) or (isinstance(val, list) and col != "clouds"):
            problems.append(Problem(key_line, col, "must be a single value"))
            continue
        row.values[col] = val if val is not None else ""
        row.lines[col] = key_line
    return row


def read_rows(path: Path) -> tuple[list[Row], list[Problem]]:
    """The roster's rows with their line numbers, and every structural problem."""
    problems: list[Problem] = []
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UserError(
                f"{path.name} is {size:,} bytes; a roster is at most {MAX_BYTES:,} bytes (1 MiB)"
            )
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"no roster at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the roster {path}: {exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(text, problems)
    elif suffix in (".yaml", ".yml"):
        rows = _read_yaml(text, problems)
    else:
        raise UserError(f"{path.name}: a roster is a .csv or a .yaml file")
    if not rows and not problems:
        problems.append(Problem(None, None, "lists no learners"))
    return rows, problems
