"""Run one operation over many stacks: a bounded pool of workers, a Rich progress view, one
outcome per stack (also appended to the cohort's run log), and a summary table.

Each worker owns a slot number for the whole time it runs a stack; the engine maps a slot to
the worker's own Pulumi work dir, so no two concurrent stacks ever share one.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from lakelab.cohort import records
from lakelab.cohort.records import Op, Result, RunRecord, Target
from lakelab.tables import Table

OnLine = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    stack: str
    op: Op
    result: Result
    duration_s: float = 0.0
    resources: int | None = None
    message: str = ""
    log: Path | None = None


@dataclass(frozen=True)
class Done:
    """What an operation reports back for one stack."""

    lines: list[str]
    resources: int | None = None
    message: str = ""


class Failed(Exception):
    def __init__(self, message: str, lines: list[str] | None = None) -> None:
        super().__init__(message)
        self.lines = lines or []


Operation = Callable[[str, int, OnLine], Done]

_log_lock = threading.Lock()


def run_stack(
    cohort: str,
    target: Target,
    op: Op,
    stack: str,
    slot: int,
    operation: Operation,
    on_line: OnLine,
    fingerprint: str | None = None,
) -> Outcome:
    """Run `operation` for one stack; record the outcome and the output, whatever happens."""
    started = time.monotonic()
    lines: list[str] = []
    resources: int | None = None
    try:
        done = operation(stack, slot, on_line)
        lines, resources, message = done.lines, done.resources, done.message
        result: Result = "succeeded"
    except Failed as exc:
        lines, message, result = exc.lines, str(exc), "failed"
    except Exception as exc:  # one stack's surprise must not stop the others
        lines = traceback.format_exc().splitlines()
        message, result = f"{type(exc).__name__}: {exc}", "failed"
    duration = round(time.monotonic() - started, 1)
    with _log_lock:
        log = records.write_log(
            cohort,
            stack,
            f"{op} ({target})",
            lines,
            f"{result} in {duration:.1f}s" + (f": {message}" if message else ""),
        )
        records.append(
            cohort,
            RunRecord(
                at=records.now(),
                stack=stack,
                target=target,
                op=op,
                result=result,
                duration_s=duration,
                resources=resources,
                fingerprint=fingerprint if result == "succeeded" else None,
                message=message,
            ),
        )
    return Outcome(stack, op, result, duration, resources, message, log)


def run_all(
    stacks: Sequence[str],
    run_one: Callable[[str, int, OnLine], Outcome],
    *,
    workers: int,
    title: str,
    console: Console,
) -> list[Outcome]:
    """Run `run_one` for every stack on at most `workers` threads, with a progress view."""
    if not stacks:
        return []
    workers = max(1, min(workers, len(stacks)))
    slots: queue.SimpleQueue[int] = queue.SimpleQueue()
    for slot in range(workers):
        slots.put(slot)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=30),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )

    def work(stack: str) -> Outcome:
        slot = slots.get()
        task = progress.add_task(f"  {stack} [dim](worker {slot})[/]: starting", total=None)

        def on_line(line: str) -> None:
            text = " ".join(line.split())[:70].replace("[", "\\[")
            if text:
                progress.update(task, description=f"  {stack} [dim](worker {slot})[/]: {text}")

        try:
            outcome = run_one(stack, slot, on_line)
        finally:
            slots.put(slot)
            progress.remove_task(task)
        progress.advance(overall)
        mark = {"succeeded": "[green]ok[/]", "failed": "[red]FAILED[/]"}.get(
            outcome.result, "skipped"
        )
        detail = f" {outcome.message}" if outcome.message else ""
        progress.console.print(
            f"{mark} {outcome.stack} {outcome.op} ({outcome.duration_s:.1f}s){detail}"
        )
        return outcome

    with progress:
        overall = progress.add_task(f"[bold]{title}[/]", total=len(stacks))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lakelab-worker") as pool:
            return list(pool.map(work, stacks))


def summary_table(title: str, outcomes: Sequence[Outcome]) -> Table:
    table = Table(title=title, header_style="bold", title_justify="left")
    for col in ("stack", "operation", "result", "time", "resources", "detail"):
        table.add_column(
            col,
            justify="right" if col in ("time", "resources") else "left",
        )
    style = {"succeeded": "green", "failed": "red", "skipped": "dim"}
    for o in sorted(outcomes, key=lambda o: o.stack):
        detail = o.message
        if o.result == "failed" and o.log is not None:
            detail = f"{detail} (log: {o.log})"
        table.add_row(
            o.stack,
            o.op,
            f"[{style[o.result]}]{o.result}[/]",
            f"{o.duration_s:.1f}s" if o.result != "skipped" else "",
            "" if o.resources is None else str(o.resources),
            detail,
        )
    counts = {
        r: sum(1 for o in outcomes if o.result == r) for r in ("succeeded", "failed", "skipped")
    }
    table.caption = ", ".join(f"{n} {r}" for r, n in counts.items() if n)
    return table
