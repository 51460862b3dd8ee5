"""Finding labs and building the context they run in."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Final

from lakelab.errors import UserError
from lakelab.labs.framework import Lab, LabContext
from lakelab.settings import Settings
from lakelab.stackfiles import load_blueprint

# Every lab, in course order (ingest, refine, manage quality, load incrementally, integrate,
# orchestrate, recover), and the module that exports its `LAB`. A new lab is a package under
# `labs/` and one line here; nothing scans the folder.
LABS: Final[dict[str, str]] = {
    "ingest-and-land": "labs.ingest_and_land",
    "medallion": "labs.medallion",
    "raw-to-curated": "labs.raw_to_curated",
    "incremental-vs-full": "labs.incremental_vs_full",
    "multi-source-integration": "labs.multi_source_integration",
    "orchestrated-pipelines": "labs.orchestrated_pipelines",
    "failure-drills": "labs.failure_drills",
}
# Labs the course plans name that are still being written (no package yet).
PLANNED: Final[tuple[str, ...]] = ()


def lab_ids() -> list[str]:
    return list(LABS)


def load_lab(lab_id: str) -> Lab:
    if lab_id not in LABS:
        raise UserError(f"unknown lab {lab_id!r}; labs: {', '.join(LABS)}")
    lab: Lab = importlib.import_module(LABS[lab_id]).LAB
    return lab


def work_dir(stack: str, lab_id: str) -> Path:
    path = Settings.current().labs_dir(stack) / lab_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def context(lab_id: str, stack: str) -> LabContext:
    """The learner's context on the local twin; a clear error when the stack is not there."""
    from lakelab.lake import lake_for

    bp = load_blueprint(stack, allow_expired=True)
    lake = lake_for(stack)  # UserError when the stack is not provisioned on the twin
    try:
        lake.keys("landing", "lakelab-probe/")
    except Exception:  # connection refused: the emulators are down
        raise UserError(
            f"the local twin is not running; start it with `lakelab local up --stack {stack}`"
        ) from None
    return LabContext(stack=stack, blueprint=bp, lake=lake, work_dir=work_dir(stack, lab_id))
