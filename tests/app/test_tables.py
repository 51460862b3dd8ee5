"""Tables never cut an id short: every column folds what does not fit, id columns wrap last."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from lakelab.labs.registry import lab_ids
from lakelab.tables import Table

ROOT = Path(__file__).resolve().parents[2]
LAKELAB = str(Path(sys.executable).parent / "lakelab")
STACK = "spring-2027-cohort-b-maximiliane-aws"


def render(table: Table, width: int) -> str:
    console = Console(width=width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(table)
    return console.export_text()


def test_an_id_column_keeps_its_ids_whole_while_the_others_wrap() -> None:
    table = Table()
    for header in ("stack", "detail", "more"):
        table.add_column(header)
    table.add_row(STACK, "a long explanation of what happened " * 3, "x" * 40)
    text = render(table, 70)
    assert "…" not in text
    assert any(STACK in line for line in text.splitlines())  # on one line
    assert "x" * 10 in text  # a long token is folded, not dropped


def test_even_too_narrow_for_the_id_nothing_is_dropped() -> None:
    table = Table()
    table.add_column("stack")
    table.add_row(STACK)
    text = render(table, 20)
    assert "…" not in text
    folded = "".join(line.strip("│ ") for line in text.splitlines()[3:-1])
    assert folded == STACK


def lakelab(home: Path, *args: str, columns: int) -> str:
    env = {**os.environ, "LAKELAB_HOME": str(home), "COLUMNS": str(columns)}
    env["LAKELAB_STATE_DIR"] = str(home / "twin-state")
    done = subprocess.run([LAKELAB, *args], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_commands_on_a_narrow_terminal_print_whole_ids(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    listing = lakelab(tmp_path, "lab", "list", columns=60)
    assert "…" not in listing
    lines = listing.splitlines()
    for lab in lab_ids():
        assert any(f"│ {lab} " in line for line in lines), lab
    status = lakelab(tmp_path, "cohort", "status", "--cohort", "demo", columns=60)
    assert "…" not in status
