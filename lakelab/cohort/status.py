"""`lakelab cohort status`: per learner and cloud, the stack's state, resource count, last
update, expiry and estimated cost to date; as a Rich table and a static HTML page.

States come from the Pulumi backend when the CLI is installed (`pulumi stack ls`: resource
count, last update, an update in progress) and from lakelab's run log (whether the last `up`
used today's stack file and program). Cost to date is an estimate from the pricing catalog,
not billing data: always-on charges since the stack went up, plus the course's weekly lab
hours for each week since then (until expiry).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lakelab.cohort import records, report
from lakelab.cohort.lifecycle import select, twin_counts
from lakelab.cohort.records import Target
from lakelab.errors import UserError
from lakelab.tables import Table

if TYPE_CHECKING:  # the engine and the catalog are loaded only when a status needs them
    from lakelab.blueprint import Blueprint
    from lakelab.cohort.engine import StackSummary
    from lakelab.cost.catalog import Catalog

GOOD = frozenset({"up to date", "provisioned"})
BAD = frozenset({"failed", "destroy failed", "updating"})


@dataclass(frozen=True)
class Row:
    stack: str
    learner: str
    email: str
    cloud: str
    state: str
    resources: int | None
    last_update: datetime | None
    expires: date
    expired: bool
    cost_to_date: float | None


@dataclass
class CohortStatus:
    cohort: str
    target: Target
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    generated: datetime = field(default_factory=records.now)

    @property
    def total_cost(self) -> float:
        return sum(r.cost_to_date or 0.0 for r in self.rows)


def _cloud_state(log_status: str, fresh: bool, in_backend: bool | None) -> str:
    if log_status == "up":
        if in_backend is False:
            return "missing from backend"
        return "up to date" if fresh else "changed since last up"
    if log_status == "not deployed" and in_backend:
        return "deployed (outside lakelab)"
    return log_status


def gather(
    cohort: str,
    *,
    local: bool = False,
    hours_per_week: float | None = None,
    today: date | None = None,
) -> CohortStatus:
    from lakelab.cost.catalog import load_catalog

    target: Target = "local" if local else "cloud"
    status = CohortStatus(cohort, target)
    known = records.states(cohort, target)
    catalog = load_catalog()
    weekly = hours_per_week if hours_per_week is not None else catalog.course.hours_per_week
    now = datetime.now(UTC)
    twin = _twin(status) if local else None
    backend = None if local else _backend(cohort, status)
    for bp in select(cohort):
        stack = bp.stack_name
        state = known.get(stack) or records.StackState(stack, target, "not deployed")
        fresh = state.fingerprint == records.fingerprint(stack, target)
        last = state.last.at if state.last else None
        if local:
            label, resources = _local_state(state, fresh, twin)
            cost: float | None = 0.0
        else:
            label, resources, last = _backend_state(state, fresh, backend, last)
            cost = _cost_to_date(bp, state, catalog, now, weekly)
        status.rows.append(
            Row(
                stack=stack,
                learner=bp.learner,
                email=bp.email,
                cloud=bp.cloud,
                state=label,
                resources=resources,
                last_update=last,
                expires=bp.expires,
                expired=bp.is_expired(today),
                cost_to_date=cost,
            )
        )
    if not local:
        status.notes.append(
            f"cost to date: an estimate from the pricing catalog ({weekly:g} lab hours per learner"
            " per week), not billing data; `lakelab cost --cohort` explains the figures"
        )
    else:
        status.notes.append("the local twin costs nothing")
    return status


def _twin(status: CohortStatus) -> dict[str, int] | None:
    """Resources per stack in the local twin; None (and a note) when it cannot be read."""
    try:
        return twin_counts()
    except (ImportError, UserError) as exc:
        status.notes.append(
            f"the local twin could not be read ({exc}); states come from the run log"
        )
        return None


def _backend(cohort: str, status: CohortStatus) -> dict[str, StackSummary] | None:
    """The Pulumi backend's stacks; None (and a note) without the CLI or the backend."""
    if shutil.which("pulumi") is None:
        status.notes.append(
            "the Pulumi CLI is not installed: states come from lakelab's run log, not the backend"
        )
        return None
    from lakelab.cohort.engine import Engine

    try:
        return Engine(cohort, 1).list_stacks()
    except UserError as exc:
        status.notes.append(f"{exc}; states come from lakelab's run log")
        return None


def _local_state(
    state: records.StackState, fresh: bool, twin: dict[str, int] | None
) -> tuple[str, int | None]:
    """(state label, resources) of a stack on the local twin."""
    stack, resources = state.stack, state.resources
    in_twin = twin is not None and stack in twin
    label: str = "provisioned" if in_twin and state.status == "up" and fresh else state.status
    if state.status == "up" and not fresh and in_twin:
        label = "changed since last up"
    if twin is not None:
        resources = twin.get(stack, 0) if in_twin else None
        if in_twin and state.status == "not deployed":
            label = "provisioned (outside the cohort)"
    return label, resources


def _backend_state(
    state: records.StackState,
    fresh: bool,
    backend: dict[str, StackSummary] | None,
    last: datetime | None,
) -> tuple[str, int | None, datetime | None]:
    """(state label, resources, last update) of a cloud stack, the backend's where it has one."""
    held = backend.get(state.stack) if backend is not None else None
    label = _cloud_state(state.status, fresh, None if backend is None else held is not None)
    resources = state.resources
    if held is not None:
        resources = held.resources
        last = held.last_update.replace(tzinfo=UTC) if held.last_update else last
        if held.updating:
            label = "updating"
    return label, resources, last


def _cost_to_date(
    bp: Blueprint, state: records.StackState, catalog: Catalog, now: datetime, weekly: float
) -> float | None:
    """The catalog's estimate of what a deployed stack has cost since it went up."""
    if not (state.deployed and state.since is not None):
        return None
    from lakelab.cost import model
    from lakelab.cost.estimate import estimate_plan
    from lakelab.plan import plan_stack

    est = estimate_plan(plan_stack(state.stack), catalog)
    days = (now - state.since).total_seconds() / 86400
    lab_days = max(0.0, (datetime.combine(bp.expires, datetime.min.time(), UTC) - state.since).days)
    return model.cost_to_date(est.items, days, weekly, lab_days)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _expiry(row: Row, today: date | None = None) -> str:
    days = (row.expires - (today or date.today())).days
    if row.expired:
        return f"{row.expires.isoformat()} (expired)"
    return f"{row.expires.isoformat()} ({days} d)"


def _money(value: float | None) -> str:
    from lakelab.cost.money import usd

    return "-" if value is None else usd(value)


def render_table(status: CohortStatus) -> Table:
    where = "local twin" if status.target == "local" else "clouds"
    table = Table(
        title=f"cohort {status.cohort} on the {where}", header_style="bold", title_justify="left"
    )
    for col in (
        "learner",
        "cloud",
        "stack state",
        "resources",
        "last update",
        "expires",
        "est. cost to date",
    ):
        table.add_column(
            col, justify="right" if col in ("resources", "est. cost to date") else "left"
        )
    for row in status.rows:
        style = "green" if row.state in GOOD else ("red" if row.state in BAD else "yellow")
        if row.state in ("not deployed", "removed", "destroyed"):
            style = "dim"
        table.add_row(
            row.learner,
            row.cloud,
            f"[{style}]{row.state}[/]",
            "-" if row.resources is None else str(row.resources),
            _when(row.last_update),
            f"[red]{_expiry(row)}[/]" if row.expired else _expiry(row),
            _money(row.cost_to_date),
        )
    table.add_section()
    table.add_row(
        "[bold]cohort[/]",
        "",
        f"{len(status.rows)} stacks",
        "",
        "",
        "",
        f"[bold]{_money(status.total_cost)}[/]",
    )
    return table


def render_html(status: CohortStatus) -> str:
    where = "local twin" if status.target == "local" else "clouds"
    rows = []
    for row in status.rows:
        css = (
            "ok"
            if row.state in GOOD
            else (
                "bad"
                if row.state in BAD
                else ("muted" if row.state in ("not deployed", "removed", "destroyed") else "warn")
            )
        )
        rows.append(
            [
                report.esc(row.learner),
                report.esc(row.email),
                report.esc(row.cloud),
                f'<span class="{css}">{report.esc(row.state)}</span>',
                "-" if row.resources is None else str(row.resources),
                report.esc(_when(row.last_update)),
                f'<span class="{"bad" if row.expired else ""}">{report.esc(_expiry(row))}</span>',
                report.esc(_money(row.cost_to_date)),
            ]
        )
    rows.append(
        [
            "<b>cohort</b>",
            "",
            "",
            f"{len(status.rows)} stacks",
            "",
            "",
            "",
            f"<b>{report.esc(_money(status.total_cost))}</b>",
        ]
    )
    command = f"lakelab cohort status --cohort {status.cohort}"
    command += " --local" if status.target == "local" else ""
    body = [
        f'<p class="muted">Generated {report.esc(_when(status.generated))} by'
        f" <code>{report.esc(command)}</code>.</p>",
        report.table(
            [
                "learner",
                "email",
                "cloud",
                "stack state",
                "resources",
                "last update",
                "expires",
                "est. cost to date",
            ],
            rows,
            numeric=(4, 7),
        ),
    ]
    body += [f'<p class="muted">{report.prose(n)}</p>' for n in status.notes]
    return report.page(f"Cohort {status.cohort} on the {where}", "\n".join(body))


def write_html(status: CohortStatus, path: Path | None = None) -> Path:
    name = "status-local.html" if status.target == "local" else "status.html"
    out = path or records.cohort_dir(status.cohort) / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(status), encoding="utf-8")
    return out
