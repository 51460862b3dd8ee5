"""The AWS vs Azure comparison rendered: Markdown (`compare_markdown`), an HTML page with
inline SVG charts (`compare_html`), and JSON, the same facts as data (here)."""

from __future__ import annotations

from typing import Any

from lakelab.compare import (
    CONCEPTS,
    OTHER,
    TARGETS,
    Comparison,
    Run,
    concept_label,
    counts_by_concept,
)
from lakelab.compare_html import to_html
from lakelab.compare_markdown import to_markdown
from lakelab.compare_rows import run_findings
from lakelab.regions import CLOUDS

__all__ = ["to_html", "to_json", "to_markdown"]


def _run_json(run: Run | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "stack": run.stack,
        "run_id": run.run_id,
        "finished_at": run.finished_at or None,
        "complete": run.complete,
        "reconciled": run.reconciled,
        "durations_s": dict(run.durations),
        "inputs": dict(run.inputs),
        "gold": {t: {"rows": g.rows, "checksum": g.checksum} for t, g in sorted(run.gold.items())},
    }


def to_json(c: Comparison) -> dict[str, Any]:
    """The comparison as data: the same facts as the Markdown report, nothing rendered."""
    counts = {cloud: counts_by_concept(c.plans[cloud]) for cloud in CLOUDS}
    findings = run_findings(c)
    return {
        "cohort": c.cohort,
        "learner": c.learner,
        "warehouse_mode": c.warehouse_mode,
        "stacks": {
            cloud: {
                "stack": c.plans[cloud].stack,
                "region": c.plans[cloud].blueprint["region"],
                "derived_from": c.derived[cloud],
            }
            for cloud in CLOUDS
        },
        "mapping": [
            {
                "concept": concept or OTHER,
                **{
                    cloud: {
                        "label": concept_label(cloud, concept, c.warehouse_mode),
                        "resources": dict(sorted(counts[cloud][concept or OTHER].items())),
                    }
                    for cloud in CLOUDS
                },
            }
            for concept in (*CONCEPTS, None)
        ],
        "cost": {
            "weeks": c.weeks,
            "hours_per_week": c.hours_per_week,
            **{
                cloud: {
                    "idle_per_month": round(c.estimates[cloud].idle_per_month, 6),
                    "per_lab_hour": round(c.estimates[cloud].per_lab_hour, 6),
                    "course_per_learner": round(
                        c.estimates[cloud].course(c.weeks, c.hours_per_week).usd, 6
                    ),
                }
                for cloud in CLOUDS
            },
        },
        "runs": {
            target: {
                "compared": findings[target] is None,
                "finding": findings[target],
                **{cloud: _run_json(c.runs[target][cloud]) for cloud in CLOUDS},
            }
            for target in TARGETS
        },
    }
