"""Reference solution of the medallion lab: the shared workload, as `lakelab run` runs it.

`lakelab_jobs.pipeline.run` takes landing to bronze (strings plus lineage), silver (typed,
validated, latest version per key; rejects to quarantine with a reason code) and gold
(`daily_sales`), writes a manifest per stage, and `lakelab.twinrun` pushes the results to the
learner's lake and registers the tables in their catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lakelab.errors import UserError
from lakelab.lake import Lake


def run(stack: str, lake: Lake, log: Callable[[str], None] = print) -> dict[str, Any]:
    from lakelab.twinrun import run_on_twin

    if not lake.keys("landing", "orders/"):
        raise UserError(f"no orders in landing: run `lakelab lab start medallion --stack {stack}`")
    result = run_on_twin(stack, mode="incremental", log=log)
    silver = next(m for m in result.manifests if m["stage"] == "silver")
    gold = next(m for m in result.manifests if m["stage"] == "gold")
    orders = silver["tables"]["orders"]
    return {
        "run_id": result.run_id,
        "seconds": round(sum(result.timings.values()), 1),
        "rows_in": orders["rows_in"],
        "silver": orders["silver_rows_after"],
        "quarantined": orders["quarantined"],
        "duplicates": orders["duplicates_dropped"],
        "gold_rows": gold["tables"]["daily_sales"]["rows_out"],
        "tables": result.tables,
    }
