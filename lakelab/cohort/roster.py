"""Rosters: one row per learner, in CSV or YAML, validated as a whole before anything is written.

CSV (a header row, then one learner per row; `#` starts a comment line):

    id,name,email,clouds,azurePrincipalId
    alice,Alice Liddell,alice@example.com,aws;azure,3f2a9c1e-5b7d-4e8f-9a1b-2c3d4e5f6a7b
    bob,Bob Marley,bob@example.com,aws,

YAML (a list, or a mapping with a `learners:` list):

    learners:
      - id: alice
        name: Alice Liddell
        email: alice@example.com
        clouds: [aws, azure]          # or "aws;azure"
        azurePrincipalId: 3f2a9c1e-5b7d-4e8f-9a1b-2c3d4e5f6a7b

Learner ids, emails and Entra object ids are checked by the blueprint's own rules (the same
checks `pulumi up` runs), for every cloud the learner is on, with this cohort's settings: an id
that is valid on its own but cannot form a valid cloud name here is refused too. Every problem
is reported with its line number, all at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Final

from lakelab.blueprint import BlueprintError, from_config
from lakelab.clouds import check_names, cloud_for
from lakelab.cohort.roster_files import (
    COLUMNS,
    REQUIRED,
    Problem,
    Row,
    length_problems,
    read_rows,
)
from lakelab.errors import UserError
from lakelab.naming import NameError_, Names
from lakelab.regions import CLOUDS, Cloud

# A placeholder Entra object id, used only to check the other fields of an Azure row that
# lacks its own (that row is reported anyway).
_PROBE_PRINCIPAL: Final = "00000000-0000-4000-8000-000000000000"
_BLUEPRINT_COLUMNS: Final[dict[str, str]] = {
    "lakelab:learner": "id",
    "lakelab:email": "email",
    "lakelab:access.azurePrincipalId": "azurePrincipalId",
}
_SETTING_OPTIONS: Final[dict[str, str]] = {
    "lakelab:cohort": "--cohort",
    "lakelab:course": "--course",
    "lakelab:expires": "--expires",
    "lakelab:budgetUsd": "--budget",
    "lakelab:network.allowedIpRanges": "--allow-ip",
    "lakelab:warehouse.mode": "--warehouse",
}


@dataclass(frozen=True)
class Settings:
    """What every learner of the cohort shares: `lakelab cohort init`'s options."""

    cohort: str
    expires: date
    budget_usd: float
    course: str = "end-to-end-pipelines"
    aws_region: str = "us-east-1"
    azure_region: str = "eastus"
    allowed_ip_ranges: tuple[str, ...] = ()
    warehouse_mode: str = "serverless"

    def region(self, cloud: Cloud) -> str:
        # One `<cloud>_region` field per cloud: the `--<cloud>-region` options.
        return str(getattr(self, f"{cloud_for(cloud).name}_region"))


@dataclass(frozen=True)
class Learner:
    id: str
    name: str
    email: str
    clouds: tuple[Cloud, ...]
    azure_principal_id: str | None
    line: int


class RosterError(UserError):
    """A roster with problems; the message lists every one of them."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.problems = problems
        count = f"{len(problems)} error" + ("s" if len(problems) != 1 else "")
        body = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source}: {count}; nothing was written\n{body}")


# --- validating -------------------------------------------------------------------------------
def _clouds(value: Any) -> tuple[list[str], list[str]]:
    """(clouds, problems) from "aws;azure", "aws, azure" or a YAML list."""
    parts = value if isinstance(value, list) else re.split(r"[;,\s]+", str(value))
    clouds: list[str] = []
    problems: list[str] = []
    for raw in parts:
        part = str(raw or "").strip().lower()
        if not part:
            continue
        if part not in CLOUDS:
            problems.append(f"unknown cloud {part!r}; use aws and/or azure, separated by ';'")
        elif part in clouds:
            problems.append(f"cloud {part!r} is listed twice")
        else:
            clouds.append(part)
    if not clouds and not problems:
        problems.append("is empty; list aws and/or azure, separated by ';'")
    return clouds, problems


def _messages(exc: BlueprintError) -> list[tuple[str, str]]:
    out = []
    for line in str(exc).splitlines():
        key, sep, message = line.strip().partition(": ")
        out.append((key, message) if sep else ("", line.strip()))
    return out


def base_config(settings: Settings, cloud: Cloud) -> dict[str, Any]:
    """The stack config every learner of the cohort shares on `cloud`."""
    budget: float | int = settings.budget_usd
    if float(budget).is_integer():
        budget = int(budget)
    config: dict[str, Any] = {
        "lakelab:cohort": settings.cohort,
        "lakelab:course": settings.course,
        "lakelab:cloud": cloud,
        "lakelab:region": settings.region(cloud),
        "lakelab:expires": settings.expires.isoformat(),
        "lakelab:budgetUsd": budget,
        "lakelab:warehouse": {"mode": settings.warehouse_mode},
    }
    if settings.allowed_ip_ranges:
        config["lakelab:network"] = {"allowedIpRanges": list(settings.allowed_ip_ranges)}
    return config


def check_settings(settings: Settings, today: date | None = None) -> None:
    """The cohort's own options, checked by the blueprint with a stand-in learner. Each option
    is checked on its own (the others at known-good values), so every bad one is reported:
    the blueprint skips its cross-field checks, such as the region's, while a field is bad."""
    good = Settings(cohort="probe", expires=date(9999, 12, 31), budget_usd=1)
    fields = (
        "cohort",
        "course",
        "expires",
        "budget_usd",
        "allowed_ip_ranges",
        "warehouse_mode",
        "aws_region",
        "azure_region",
    )
    problems: list[str] = []
    for name in fields:
        probe = replace(good, **{name: getattr(settings, name)})
        for cloud in CLOUDS:
            if name.endswith("_region") and not name.startswith(cloud):
                continue
            config = {
                **base_config(probe, cloud),
                "lakelab:learner": "probe",
                "lakelab:email": "probe@example.com",
                "lakelab:access": {"azurePrincipalId": _PROBE_PRINCIPAL},
            }
            try:
                from_config(config, today=today)
            except BlueprintError as exc:
                for key, message in _messages(exc):
                    option = _SETTING_OPTIONS.get(key)
                    if key == "lakelab:region":
                        option = f"--{cloud}-region"
                    text = f"{option or key}: {message}"
                    if text not in problems:
                        problems.append(text)
    if problems:
        raise UserError("cohort settings:\n" + "\n".join(f"  {p}" for p in problems))


def _check_row(
    row: Row, settings: Settings, today: date | None
) -> tuple[Learner | None, list[Problem]]:
    problems = _missing_or_empty(row)
    too_long = length_problems(row)
    if too_long:
        return None, problems + too_long  # nothing else reads a value that long
    v = row.values
    name = str(v.get("name") or "")
    if "\n" in name:
        problems.append(Problem(row.line_of("name"), "name", "must be one line"))
    clouds: list[str] = []
    if "clouds" in v and (v["clouds"] or isinstance(v["clouds"], list)):
        clouds, cloud_problems = _clouds(v["clouds"])
        problems += [Problem(row.line_of("clouds"), "clouds", p) for p in cloud_problems]
    principal = str(v.get("azurePrincipalId") or "").strip() or None
    for cloud in clouds:
        needed = cloud_for(cloud).principal
        if needed is not None and principal is None:
            problems.append(
                Problem(
                    row.line_of("clouds"),
                    "azurePrincipalId",
                    f"is required for {cloud}: {needed} (a GUID)",
                )
            )
    learner_id = str(v.get("id") or "")
    email = str(v.get("email") or "")
    if learner_id and email:
        problems += _blueprint_problems(row, settings, today, clouds, principal)
    if learner_id and not any(p.column == "id" for p in problems):
        # The blueprint checks names only once every field is valid: check them regardless.
        try:
            check_names(Names(settings.cohort, learner_id))
        except NameError_ as exc:
            problems.append(
                Problem(row.line_of("id"), "id", f"cannot form valid cloud names: {exc}")
            )
    if problems:
        return None, problems
    learner = Learner(
        id=learner_id,
        name=name,
        email=email,
        clouds=tuple(c for c in CLOUDS if c in clouds),
        azure_principal_id=principal.lower() if principal else None,
        line=row.line,
    )
    return learner, []


def _missing_or_empty(row: Row) -> list[Problem]:
    problems: list[Problem] = []
    v = row.values
    for col in REQUIRED:
        if col not in v:
            if row.keyed:
                problems.append(Problem(row.line, col, "is missing"))
        elif not str(v[col] or "").strip() and not (col == "clouds" and isinstance(v[col], list)):
            problems.append(Problem(row.line_of(col), col, "is empty"))
    return problems


def _blueprint_problems(
    row: Row, settings: Settings, today: date | None, clouds: list[str], principal: str | None
) -> list[Problem]:
    """What the blueprint of each of the row's clouds refuses, by roster column, once each."""
    v = row.values
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for cloud in [c for c in CLOUDS if c in clouds] or [CLOUDS[0]]:
        config = {
            **base_config(settings, cloud),
            "lakelab:learner": str(v.get("id") or ""),
            "lakelab:email": str(v.get("email") or ""),
        }
        if principal is not None or cloud_for(cloud).principal is not None:
            config["lakelab:access"] = {"azurePrincipalId": principal or _PROBE_PRINCIPAL}
        try:
            from_config(config, today=today, allow_expired=True)
        except BlueprintError as exc:
            for key, message in _messages(exc):
                column = _BLUEPRINT_COLUMNS.get(key)
                if (column or key, message) in seen:
                    continue
                seen.add((column or key, message))
                problems.append(Problem(row.line_of(column or "id"), column, message))
    return problems


def validate(
    rows: list[Row],
    settings: Settings,
    problems: list[Problem] | None = None,
    today: date | None = None,
) -> tuple[list[Learner], list[Problem]]:
    found = list(problems or [])
    learners: list[Learner] = []
    first: dict[str, int] = {}
    emails: dict[str, tuple[str, int]] = {}  # lowercased email -> (learner, line)
    for row in rows:
        learner_id = str(row.values.get("id") or "")
        if learner_id in first:
            found.append(
                Problem(
                    row.line_of("id"),
                    "id",
                    f"duplicate learner id {learner_id!r} (first on line {first[learner_id]})",
                )
            )
            continue
        if learner_id:
            first[learner_id] = row.line_of("id")
        learner, row_problems = _check_row(row, settings, today)
        found += row_problems
        if learner is None:
            continue
        owner = emails.get(learner.email.lower())
        if owner is not None:
            found.append(
                Problem(
                    row.line_of("email"),
                    "email",
                    f"{learner.email!r} is also the email of learner {owner[0]!r} (line"
                    f" {owner[1]}); each learner needs their own (budget alerts go to it)",
                )
            )
            continue
        emails[learner.email.lower()] = (learner.id, row.line_of("email"))
        learners.append(learner)
    order = {col: i for i, col in enumerate(COLUMNS)}
    found.sort(key=lambda p: (p.line if p.line is not None else 0, order.get(p.column or "", -1)))
    return learners, found


def load_roster(path: Path, settings: Settings, today: date | None = None) -> list[Learner]:
    """The roster's learners; `RosterError` lists every problem, with line numbers."""
    check_settings(settings, today)
    rows, problems = read_rows(path)
    learners, problems = validate(rows, settings, problems, today)
    if problems:
        raise RosterError(path.name, problems)
    return learners
