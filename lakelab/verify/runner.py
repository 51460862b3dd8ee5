"""Run the steps of `lakelab verify` in order; stop at the first failure, still destroy.

Which steps only a real cloud exercises: `up` creates real resources; the pipeline step
needs the cloud to execute the Glue workflow or Data Factory pipeline (moto starts workflow
runs but never executes them); the query step needs Athena or Synapse serverless SQL to
execute SQL over the lake. Everything else (the CLI calls, landing, the reference build,
the comparison, the sweep) runs the same against the twin.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from lakelab.blueprint import Blueprint
from lakelab.clouds import cloud_for
from lakelab.clouds.acceptance import Acceptance, AcceptanceError
from lakelab.errors import UserError
from lakelab.pipeline.sources import DEFAULT_ROWS, day_files
from lakelab.verify.pulumi_cli import CliFailed, PulumiCli
from lakelab.verify.receipt import Receipt, StepResult
from lakelab.verify.reference import GOLD_COLUMNS, GOLD_TABLE, reference_gold, rows_checksum
from lakelab.verify.steps import Step, plan_steps

MakeAcceptance = Callable[[Blueprint, Mapping[str, Any]], Acceptance]
OnStep = Callable[[Step, str], None]


class StepFailed(Exception):
    pass


@dataclass
class Options:
    day: date
    rows: int = DEFAULT_ROWS
    keep: bool = False
    pipeline_timeout_s: float = 3600
    poll_s: float = 15
    query_timeout_s: float = 600


def _default_acceptance(bp: Blueprint, outputs: Mapping[str, Any]) -> Acceptance:
    return cloud_for(bp.cloud).acceptance(bp, outputs)


class VerifyRun:
    def __init__(
        self,
        bp: Blueprint,
        cli: PulumiCli,
        options: Options,
        *,
        make_acceptance: MakeAcceptance = _default_acceptance,
        on_step: OnStep | None = None,
    ) -> None:
        self.bp = bp
        self.cli = cli
        self.options = options
        self.make_acceptance = make_acceptance
        self.on_step = on_step or (lambda step, state: None)
        self.steps = {s.key: s for s in plan_steps(bp, keep=options.keep)}
        self.receipt = Receipt(bp.stack_name, bp.cloud, datetime.now(UTC).isoformat())
        self.acceptance: Acceptance | None = None
        self.files: dict[str, bytes] = {}
        self.deployed = False

    @contextmanager
    def _step(self, key: str) -> Iterator[StepResult]:
        step = self.steps[key]
        self.on_step(step, "start")
        result = StepResult(key, step.title, ok=True, seconds=0.0)
        started = time.monotonic()
        try:
            yield result
        except (CliFailed, AcceptanceError, UserError, StepFailed) as exc:
            result.ok, result.detail = False, str(exc)
        except Exception as exc:  # a cloud SDK's error: one line, the run goes on to cleanup
            result.ok, result.detail = False, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        finally:
            result.seconds = round(time.monotonic() - started, 2)
            self.receipt.steps.append(result)
            self.on_step(step, "ok" if result.ok else "failed")

    def _ok(self) -> bool:
        return self.receipt.failed is None

    def run(self) -> Receipt:
        for key in ("preview", "up", "outputs", "land", "pipeline", "query", "compare"):
            if not self._ok():
                break
            getattr(self, f"_{key}")()
        if self.deployed and not self.options.keep:
            self._destroy()
            self._sweep()
        self.receipt.kept = self.deployed and self.options.keep
        return self.receipt

    # --- the steps ------------------------------------------------------------------------
    def _preview(self) -> None:
        with self._step("preview"):
            existing = self.cli.resources()
            if existing:
                raise StepFailed(
                    f"stack {self.bp.stack_name} is deployed ({existing} resources); verify"
                    " deploys and destroys a stack of its own: give it one no learner uses"
                )
            if existing is None:
                self.cli.init()
            self.cli.preview()

    def _up(self) -> None:
        with self._step("up") as result:
            self.deployed = True  # a failed up can leave resources: destroy runs either way
            self.cli.up()
            self.receipt.resources_created = self.cli.resources()
            result.detail = f"{self.receipt.resources_created} resources"

    def _outputs(self) -> None:
        with self._step("outputs"):
            self.acceptance = self.make_acceptance(self.bp, self.cli.outputs())
            self.receipt.actor = self.acceptance.actor

    def _land(self) -> None:
        with self._step("land") as result:
            assert self.acceptance is not None
            self.files = day_files(self.options.day, self.options.rows)
            written = self.acceptance.land(self.files)
            result.detail = f"{len(self.files)} files, {written} bytes, day {self.options.day}"

    def _pipeline(self) -> None:
        with self._step("pipeline") as result:
            acceptance = self.acceptance
            assert acceptance is not None
            run_id = acceptance.start_pipeline()
            deadline = time.monotonic() + self.options.pipeline_timeout_s
            while True:
                state = acceptance.pipeline_state(run_id)
                if state.done:
                    break
                if time.monotonic() > deadline:
                    raise StepFailed(
                        f"{acceptance.pipeline_name} run {run_id} still {state.state} after"
                        f" {self.options.pipeline_timeout_s:.0f} s"
                    )
                time.sleep(self.options.poll_s)
            if not state.ok:
                raise StepFailed(
                    f"{acceptance.pipeline_name} run {run_id} ended {state.state}: {state.detail}"
                )
            result.detail = f"run {run_id} {state.state}"

    def _query(self) -> None:
        with self._step("query") as result:
            acceptance = self.acceptance
            assert acceptance is not None
            sql = acceptance.gold_sql(GOLD_TABLE, GOLD_COLUMNS)
            rows = acceptance.query(sql, self.options.query_timeout_s)
            cloud = rows_checksum(rows.columns, rows.rows)
            self.receipt.gold["cloud"] = {"rows": cloud.rows, "checksum": str(cloud)}
            self.receipt.gold["bytes_scanned"] = rows.bytes_scanned
            result.detail = f"{cloud.rows} rows, {rows.bytes_scanned} bytes scanned"

    def _compare(self) -> None:
        with self._step("reference") as result:
            local = reference_gold(self.files)
            self.receipt.gold["local"] = {"rows": local.rows, "checksum": str(local)}
            result.detail = f"{local.rows} rows"
        if not self._ok():
            return
        with self._step("compare") as result:
            cloud, local_ = self.receipt.gold["cloud"], self.receipt.gold["local"]
            self.receipt.gold["match"] = cloud == local_
            if cloud != local_:
                raise StepFailed(
                    f"gold differs: {self.bp.cloud} has {cloud['rows']} rows"
                    f" ({cloud['checksum']}), the local build {local_['rows']}"
                    f" ({local_['checksum']})"
                )
            result.detail = f"{cloud['rows']} rows, {cloud['checksum']}"

    def _destroy(self) -> None:
        with self._step("destroy"):
            self.cli.destroy()

    def _sweep(self) -> None:
        with self._step("sweep") as result:
            bp = self.bp
            report = cloud_for(bp.cloud).sweep(bp.cohort, {bp.region}, {bp.learner})
            self.receipt.leftovers = [f"{f.kind} {f.name}" for f in report.leftovers]
            self.receipt.leftovers += [f"not checked: {u}" for u in report.unverified]
            deleted = [f"{f.kind} {f.name}" for f in report.deleted]
            if self.receipt.leftovers:
                raise StepFailed(
                    f"{len(self.receipt.leftovers)} resource(s) left: "
                    + ", ".join(self.receipt.leftovers)
                )
            result.detail = (
                (f"destroy left {len(deleted)}, the sweep deleted them: " + ", ".join(deleted))
                if deleted
                else "nothing left"
            )


def run_cost(bp: Blueprint, receipt: Receipt) -> float:
    """What the run cost by the cost model: the stack's standing charges for the time it
    was up, plus its usage for that time as lab hours (billing minimums included)."""
    from lakelab.cost.catalog import load_catalog
    from lakelab.cost.estimate import estimate_plan
    from lakelab.plan import plan_stack

    estimate = estimate_plan(plan_stack(bp.stack_name), load_catalog())
    up = ("up", "outputs", "land", "pipeline", "query", "reference", "compare", "destroy")
    hours = sum(s.seconds for s in receipt.steps if s.key in up) / 3600
    return round(estimate.per_lab_hour * hours + estimate.idle_per_month * hours / 730, 4)
