"""Finding labs and building the context they run in."""

from __future__ import annotations

import importlib
from pathlib import Path

from lakelab.errors import UserError
from lakelab.labs.framework import Lab, LabContext
from lakelab.stackfiles import load_blueprint

# Course order: ingest, refine, manage quality, load incrementally, integrate, orchestrate,
# recover. A lab listed here may still be being written; lab_ids() lists those present.
LAB_ORDER = (
    "ingest-and-land",
    "medallion",
    "raw-to-curated",
    "incremental-vs-full",
    "multi-source-integration",
    "orchestrated-pipelines",
    "failure-drills",
)


def labs_dir() -> Path:
    """The folder of the `labs` package that `load_lab` imports from. Not derived from
    `LAKELAB_HOME`, which only relocates the stack files."""
    import labs

    return Path(labs.__file__).resolve().parent


def lab_ids() -> list[str]:
    present = {
        p.name.replace("_", "-") for p in labs_dir().iterdir() if (p / "__init__.py").is_file()
    }
    ordered = [lab for lab in LAB_ORDER if lab in present]
    return ordered + sorted(present - set(ordered))


def load_lab(lab_id: str) -> Lab:
    if lab_id not in lab_ids():
        raise UserError(f"unknown lab {lab_id!r}; labs: {', '.join(lab_ids())}")
    module = importlib.import_module(f"labs.{lab_id.replace('-', '_')}")
    lab: Lab = module.LAB
    return lab


def work_dir(stack: str, lab_id: str) -> Path:
    from localcloud.state import state_dir

    path = state_dir() / "labs" / stack / lab_id
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
