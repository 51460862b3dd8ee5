"""The JSON documents that `--json` prints: one document on stdout, nothing else.

Each function turns what a layer below reports into plain JSON values; the shapes are listed
in the commands' `--help` and stay stable (new keys may be added, none renamed or removed).
Paths are strings, times ISO 8601, money a number of USD rounded to six decimals.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from lakelab.cohort.lifecycle import DownReport, UpReport
    from lakelab.cohort.runner import Outcome
    from lakelab.cohort.status import CohortStatus
    from lakelab.cohort.sweep import Found
    from localcloud.twin import StatusReport

RESULTS = ("succeeded", "failed", "skipped")


def emit(doc: Any) -> None:
    """The document, indented, on stdout."""
    typer.echo(json.dumps(doc, indent=2))


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def outcome(o: Outcome) -> dict[str, Any]:
    return {
        "stack": o.stack,
        "operation": o.op,
        "result": o.result,
        "seconds": o.duration_s,
        "resources": o.resources,
        "message": o.message,
        "log": str(o.log) if o.log is not None else None,
    }


def _outcomes(outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    return [outcome(o) for o in sorted(outcomes, key=lambda o: o.stack)]


def _counts(outcomes: Sequence[Outcome]) -> dict[str, int]:
    return {r: sum(1 for o in outcomes if o.result == r) for r in RESULTS}


def up(cohort: str, report: UpReport) -> dict[str, Any]:
    return {
        "cohort": cohort,
        "target": report.target,
        "expired": sorted(report.expired),
        "warnings": report.warnings,
        "stacks": _outcomes(report.outcomes),
        "counts": _counts(report.outcomes),
        "ok": not report.failed,
    }


def found(item: Found) -> dict[str, Any]:
    return asdict(item)


def down(cohort: str, report: DownReport) -> dict[str, Any]:
    return {
        "cohort": cohort,
        "target": report.target,
        "destroyed": _outcomes(report.destroyed),
        "removed": _outcomes(report.removed),
        "sweeps": [
            {
                "cloud": s.cloud,
                "deleted": [found(f) for f in s.deleted],
                "failed": [found(f) | {"error": error} for f, error in s.failed],
                "notes": list(s.notes),
            }
            for s in report.sweeps
        ],
        "leftovers": [found(f) for f in report.leftovers],
        "unverified": list(report.unverified),
        "kept": list(report.kept),
        "clean": report.clean,
    }


def status(result: CohortStatus, html: str) -> dict[str, Any]:
    return {
        "cohort": result.cohort,
        "target": result.target,
        "generated": result.generated.isoformat(),
        "stacks": [
            {
                "stack": r.stack,
                "learner": r.learner,
                "email": r.email,
                "cloud": r.cloud,
                "state": r.state,
                "resources": r.resources,
                "last_update": r.last_update.isoformat() if r.last_update else None,
                "expires": r.expires.isoformat(),
                "expired": r.expired,
                "cost_to_date": _money(r.cost_to_date),
            }
            for r in result.rows
        ],
        "total_cost": _money(result.total_cost),
        "notes": list(result.notes),
        "html": html,
    }


def twin_status(report: StatusReport) -> dict[str, Any]:
    """What runs and who is provisioned; never the learners' secrets (`local env` has them)."""
    return {
        "state_dir": str(report.state_dir),
        "emulators": [
            {
                "name": e.name,
                "label": e.label,
                "state": e.state,
                "endpoint": e.url,
                "pid": e.pid,
                "log": str(e.log) if e.log else None,
            }
            for e in report.emulators
        ],
        "stacks": [
            {
                "stack": r.stack,
                "cloud": r.cloud,
                "region": r.region,
                "cohort": r.cohort,
                "learner": r.learner,
                "identity": r.identity,
                "resources": r.resources,
            }
            for r in report.stacks
        ],
    }
