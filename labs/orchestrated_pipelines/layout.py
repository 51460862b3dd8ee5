"""What the orchestrated-pipelines lab works with: the pipeline's name, the flaky step, the
week to backfill, and where the learner's files are (their lab work folder)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Final

from lakelab.pipeline.faults import Fault

LAB_ID: Final = "orchestrated-pipelines"
PIPELINE: Final = "daily_sales"  # the `pipeline:` name of the learner's definition
# The steps the lab's pipeline runs, and the dependencies it must keep (upstream, downstream).
STEPS: Final = ("land", "bronze", "silver", "gold", "quality_gate")
REQUIRED_ORDER: Final = (
    ("land", "bronze"),
    ("bronze", "silver"),
    ("silver", "gold"),
    ("gold", "quality_gate"),
)
MISSING_DEPENDENCY: Final = ("silver", "gold")  # what the starter leaves out
FLAKY_STEP: Final = "land"
FAULT: Final = Fault(
    pipeline=PIPELINE,
    step=FLAKY_STEP,
    fail_attempts=1,
    message="the shop's export API timed out",
)
# The week to backfill: Monday 6 to Sunday 12 April 2026, one run per date.
FIRST_DAY: Final = date(2026, 4, 6)
WEEK: Final = tuple(FIRST_DAY + timedelta(days=n) for n in range(7))

DEFINITION_FILE: Final = "pipeline.yaml"  # the learner's copy, in the lab's work folder
PREVIOUS_FILE: Final = "pipeline.yaml.previous"  # an edited copy `lab start` set aside
PROOF_FILE: Final = "proof.json"  # {run_date: run_id}, written by template.py
STARTER: Final = Path(__file__).resolve().parent / "starter.yaml"


def definition_path(work_dir: Path) -> Path:
    return work_dir / DEFINITION_FILE


def proof_path(work_dir: Path) -> Path:
    return work_dir / PROOF_FILE


def week() -> list[str]:
    return [d.isoformat() for d in WEEK]


def backfill_command(stack: str, work_dir: Path) -> str:
    return (
        f"lakelab pipeline backfill --stack {stack} --from {WEEK[0]} --to {WEEK[-1]}"
        f" --definition {definition_path(work_dir)}"
    )
