"""The four faults `lakelab lab break <drill> --stack S` injects, and how each is meant to end.

Each drill delivers one more business day with a fault in it, so drills can be combined in
any order and graded on their own day:

| drill | day | fault | designed behaviour |
|---|---|---|---|
| `missing-source-file` | 6 May | the POS export is announced but never arrives | fail loudly |
| `schema-change` | 7 May | order exports gain a required `store_id` after `channel` | fail loudly |
| `duplicate-keys` | 8 May | the POS upload is appended twice; the web feed re-sends | heal |
| `api-outage` | 9 May | the catalogue API refuses connections | heal: degrade, backfill |

Which drills were injected is recorded in the lab's work folder (`injected.json`), not in the
lake, so whoever fixes the pipeline has to find the faults the way on-call would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, Literal

from labs.failure_drills.generator import BASELINE, DAYS, control_key, products_key
from labs.failure_drills.job import load_source
from labs.failure_drills.source import set_provider
from labs.medallion import lakeio
from lakelab.labs.framework import LabContext

INJECTED_FILE: Final = "injected.json"


@dataclass(frozen=True)
class Drill:
    name: str
    day: date
    behaviour: Literal["fail loudly", "heal"]
    fault: str
    why: str


DRILLS: Final[dict[str, Drill]] = {
    d.name: d
    for d in (
        Drill(
            "missing-source-file",
            DAYS[2],
            "fail loudly",
            "the control file announces the day's POS export, but the file never arrives",
            "Publishing the day without one source under-reports revenue and nobody notices;"
            " an alert and a late, complete table are better than an on-time wrong one.",
        ),
        Drill(
            "schema-change",
            DAYS[3],
            "fail loudly",
            "the order exports gain a required column, store_id, in the middle of the header",
            "Reading by position would shift every column after channel; guessing a mapping"
            " hides a contract change that needs an owner's decision.",
        ),
        Drill(
            "duplicate-keys",
            DAYS[4],
            "heal",
            "the POS upload was retried and appended in full; the web feed re-sent orders as"
            " first placed",
            "At-least-once delivery is normal: silver keeps one row per order_id (the latest"
            " updated_at), so re-sent rows change nothing and reruns stay idempotent.",
        ),
        Drill(
            "api-outage",
            DAYS[5],
            "heal",
            "the catalogue API refuses connections",
            "The catalogue is slowly changing reference data: orders go on with the last"
            " catalogue (status degraded, alert raised) and the missed day is backfilled when"
            " the API is back.",
        ),
    )
}


def injected(work_dir: Path) -> dict[str, dict[str, Any]]:
    path = work_dir / INJECTED_FILE
    doc: dict[str, dict[str, Any]] = json.loads(path.read_text()) if path.is_file() else {}
    return doc


def delivered_days(work_dir: Path) -> list[date]:
    """The baseline days plus the day of every injected drill."""
    days = {*BASELINE, *(DRILLS[name].day for name in injected(work_dir))}
    return sorted(days)


def inject(ctx: LabContext, name: str) -> str:
    drill = DRILLS[name]
    src = load_source(ctx.work_dir)
    day = drill.day
    files = src.files(day)
    lake = ctx.lake
    if name == "missing-source-file":
        absent = f"orders/{day.isoformat()}-pos.csv"
        lakeio.land(lake, {k: v for k, v in files.items() if k != absent})
        lakeio.discard(lake, "landing", [absent])
        what = f"{absent} is announced but absent"
    elif name == "schema-change":
        lakeio.land(lake, src.v2_files(day))
        what = "orders files of the day have a new store_id column"
    elif name == "duplicate-keys":
        lakeio.land(lake, files)
        what = "the POS file holds every row twice; the web file re-sends orders"
    else:
        set_provider(ctx.work_dir, False, "outage injected by `lakelab lab break api-outage`")
        lakeio.discard(lake, "landing", [products_key(day)])
        lakeio.land(lake, files)
        what = "the catalogue API is down"
    lake.put("landing", control_key(day), src.control_bytes(day))
    doc = injected(ctx.work_dir)
    doc[name] = {"day": day.isoformat(), "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    (ctx.work_dir / INJECTED_FILE).write_text(json.dumps(doc, indent=2))
    return f"{day} delivered: {what} (designed behaviour: {drill.behaviour})"
