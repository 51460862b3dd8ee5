"""`lakelab compare`: the AWS and Azure builds of one learner's blueprint, side by side.

The report maps each part of the lab to its resources on both clouds (from the offline plans),
counts them, prices both builds (`lakelab.cost`), and, once the lab has run on both twins or on
both clouds, compares stage timings and gold outputs read from run manifests.

Run results are read from a results folder (`--results`, else `$LAKELAB_RESULTS`, else
`results/` in the local twin's state folder: `$LAKELAB_STATE_DIR` or `~/.lakelab`):

    <results>/<stack>/<target>/<run_id>.<stage>.json        target: local | cloud
    <results>/<stack>/<target>/<run_id>.gold-output.json     optional

The stage files are the workload's run manifests exactly as it writes them under
`<lake state>/runs/` (`stage`, `run_id`, `duration_s`, `finished_at`, `tables`). Gold row counts
come from the gold manifest (`tables.<table>.rows_out`); checksums from a table's `checksum`
key there, or from `<run_id>.gold-output.json`: `{"tables": {"<table>": {"rows": N,
"checksum": "<hex>"}}}`. The latest run with a gold stage is compared. With no run on both
sides the report says so; it never makes numbers up.

`lakelab.compare_render` turns a `Comparison` into Markdown and an HTML page with inline SVG
charts; the `compare` command (`lakelab.app.compare`) writes both.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from lakelab.clouds import cloud_for
from lakelab.errors import UserError
from lakelab.naming import STAGES
from lakelab.regions import CLOUDS
from lakelab.settings import RESULTS, Settings

if TYPE_CHECKING:
    from lakelab.plan import Plan, PlannedResource

RESULTS_ENV: Final = RESULTS
TARGETS: Final = ("local", "cloud")
TARGET_LABEL: Final = {"local": "both local twins", "cloud": "both clouds"}


# The parts of a lab, in report order; each cloud's home says what a part is on that cloud.
CONCEPTS: Final = (
    "Lake storage",
    "Catalog",
    "Spark ETL and orchestration",
    "Ad-hoc SQL",
    "Warehouse",
    "Identity and access",
    "Budget",
)
OTHER: Final = "Engine helpers"


def concept_of(r: PlannedResource, cloud: str) -> str:
    return cloud_for(cloud).concepts.concept_of(r.type, r.name) or OTHER


def concept_label(cloud: str, concept: str | None, warehouse_mode: str) -> str:
    """What `concept` (None: the rest) is called on `cloud`."""
    concepts = cloud_for(cloud).concepts
    if concept is None:
        return concepts.other
    if concept == "Warehouse":
        return concepts.warehouse.get(warehouse_mode, "")
    return concepts.labels.get(concept, "")


def short_type(type_: str) -> str:
    """`aws:s3/bucket:Bucket` -> `s3.Bucket`; `azure-native:storage:Blob` -> `storage.Blob`."""
    parts = type_.split(":")
    if len(parts) == 3:
        module = parts[1].split("/")[0]
        return f"{module}.{parts[2]}" if module != "index" else f"{parts[0]}.{parts[2]}"
    return type_


def counts_by_concept(plan: Plan) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {c: Counter() for c in CONCEPTS}
    out[OTHER] = Counter()
    for r in plan.resources:
        if r.custom:
            out[concept_of(r, plan.cloud)][short_type(r.type)] += 1
    return out


# --- run results ------------------------------------------------------------------------------
def results_root(option: Path | None = None) -> Path:
    if option is not None:
        return option.expanduser().resolve()
    return Settings.current().results_dir


@dataclass(frozen=True)
class GoldTable:
    rows: int | None
    checksum: str | None


@dataclass
class Run:
    stack: str
    target: str
    run_id: str
    folder: Path
    durations: dict[str, float] = field(default_factory=dict)
    finished_at: str = ""
    reconciled: bool = True
    gold: dict[str, GoldTable] = field(default_factory=dict)
    # Rows the bronze stage read from landing, per source table: what the run was fed.
    inputs: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(s in self.durations for s in STAGES)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: not a readable JSON file ({exc})") from None


def latest_run(root: Path, stack: str, target: str) -> Run | None:
    """The newest run with a gold stage (else the newest run) in `<root>/<stack>/<target>/`."""
    folder = root / stack / target
    if not folder.is_dir():
        return None
    runs: dict[str, Run] = {}
    finished: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(".gold-output.json"):
            continue
        doc = _read_json(path)
        if not isinstance(doc, dict) or not {"run_id", "stage"} <= doc.keys():
            continue
        run_id, stage = str(doc["run_id"]), str(doc["stage"])
        run = runs.setdefault(run_id, Run(stack, target, run_id, folder))
        run.durations[stage] = float(doc.get("duration_s") or 0.0)
        run.reconciled = run.reconciled and bool(doc.get("reconciled", not doc.get("problems")))
        finished[run_id] = max(finished.get(run_id, ""), str(doc.get("finished_at") or ""))
        if stage == "bronze":
            for table, counts in (doc.get("tables") or {}).items():
                if isinstance(counts, dict) and isinstance(counts.get("rows_in"), int):
                    run.inputs[str(table)] = int(counts["rows_in"])
        if stage == "gold":
            for table, counts in (doc.get("tables") or {}).items():
                if isinstance(counts, dict):
                    rows = counts.get("rows_out", counts.get("rows"))
                    run.gold[str(table)] = GoldTable(
                        int(rows) if isinstance(rows, int | float) else None,
                        str(counts["checksum"]) if counts.get("checksum") else None,
                    )
    if not runs:
        return None
    for run_id, run in runs.items():
        extra = folder / f"{run_id}.gold-output.json"
        if extra.is_file():
            doc = _read_json(extra)
            for table, info in ((doc or {}).get("tables") or {}).items():
                if isinstance(info, dict):
                    known = run.gold.get(str(table), GoldTable(None, None))
                    rows = info.get("rows")
                    run.gold[str(table)] = GoldTable(
                        int(rows) if isinstance(rows, int | float) else known.rows,
                        str(info["checksum"]) if info.get("checksum") else known.checksum,
                    )
        run.finished_at = finished.get(run_id, "")
    with_gold = [r for r in runs.values() if "gold" in r.durations]
    pool = with_gold or list(runs.values())
    return max(pool, key=lambda r: (r.finished_at, r.run_id))


# --- the comparison ---------------------------------------------------------------------------
@dataclass
class Comparison:
    cohort: str
    learner: str
    plans: dict[str, Plan]
    derived: dict[str, str | None]
    estimates: dict[str, Any]
    weeks: float
    hours_per_week: float
    results: Path
    runs: dict[str, dict[str, Run | None]]

    @property
    def warehouse_mode(self) -> str:
        # Every plan of the comparison comes from the same blueprint settings.
        plan = self.plans[CLOUDS[0]]
        return str(plan.outputs["cost_inputs"]["warehouse_mode"])


def build(
    cohort: str,
    learner: str,
    *,
    results: Path | None = None,
    weeks: float | None = None,
    hours_per_week: float | None = None,
) -> Comparison:
    from lakelab.cost.catalog import load_catalog
    from lakelab.cost.estimate import estimate_plan, learner_plans

    cat = load_catalog()
    plans = learner_plans(cohort, learner)
    root = results_root(results)
    stacks = {c: f"{cohort}-{learner}-{c}" for c in CLOUDS}
    return Comparison(
        cohort=cohort,
        learner=learner,
        plans={c: p for c, (p, _) in plans.items()},
        derived={c: src for c, (_, src) in plans.items()},
        estimates={c: estimate_plan(p, cat, derived_from=src) for c, (p, src) in plans.items()},
        weeks=weeks if weeks is not None else cat.course.weeks,
        hours_per_week=hours_per_week if hours_per_week is not None else cat.course.hours_per_week,
        results=root,
        runs={t: {c: latest_run(root, stacks[c], t) for c in CLOUDS} for t in TARGETS},
    )
