"""The local runner: the pipeline definition run step by step, with retries, a record of
every attempt, resume and backfill.

`lakelab pipeline run --stack S` takes the steps of `lakelab/pipeline/medallion.yaml` in
their dependency order and runs each one (`lakelab.pipeline.twin_steps` says what a step does
on the twin). A step that fails is retried as its policy says (`retries`, `retry_interval_s`,
`retry_backoff`); when its last attempt fails, the run stops and every step downstream of it
is `skipped`, as Glue and Data Factory do. Every run is recorded in the state folder
(`runs/<stack>/pipeline/<run_id>.json`): steps, attempts, seconds, errors, outcome.

- `--resume RUN_ID` runs a failed run again from its failed step: steps that succeeded are
  not run twice;
- `backfill --from D --to D` runs one `run_date` after another, landing each day's sample
  sources first; a date whose last run succeeded is skipped unless `--force`;
- `history` lists the runs.

The optional `land` step runs only when asked (`--land`, and in backfills). The definition's
`alerts` are raised as they happen (a retry, a step failed after its last retry): printed and
kept in the run's record under `alerts`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from lakelab.errors import UserError
from lakelab.pipeline.definition import Definition
from lakelab.settings import Settings

Action = Callable[[], str]  # runs one step; returns a one-line summary; raises on failure


@dataclass
class Attempt:
    number: int
    started: str
    seconds: float
    ok: bool
    detail: str


@dataclass
class StepRecord:
    step: str
    state: str = "pending"  # pending | succeeded | failed | skipped
    attempts: list[Attempt] = field(default_factory=list)


@dataclass
class RunRecord:
    run_id: str
    stack: str
    run_date: str
    mode: str
    started: str
    state: str = "running"  # running | succeeded | failed
    finished: str | None = None
    resumed_from: str | None = None
    steps: list[StepRecord] = field(default_factory=list)
    # The definition's alerts this run raised: {when, step, description, detail}.
    alerts: list[dict[str, str]] = field(default_factory=list)
    # Which definition ran: its `pipeline` name and file ("" for the packaged medallion.yaml).
    pipeline: str = "medallion"
    definition: str = ""

    def step(self, step_id: str) -> StepRecord:
        return next(s for s in self.steps if s.step == step_id)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> RunRecord:
        steps = [
            StepRecord(s["step"], s["state"], [Attempt(**a) for a in s["attempts"]])
            for s in doc.pop("steps")
        ]
        return cls(**doc, steps=steps)


def history_dir(stack: str) -> Path:
    return Settings.current().runs_dir(stack) / "pipeline"


def save(record: RunRecord) -> Path:
    folder = history_dir(record.stack)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record.run_id}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(record), indent=2))
    os.replace(tmp, path)
    return path


def history(stack: str) -> list[RunRecord]:
    """Every recorded run of the stack, oldest first."""
    folder = history_dir(stack)
    runs = [RunRecord.from_json(json.loads(p.read_text())) for p in folder.glob("*.json")]
    return sorted(runs, key=lambda r: (r.started, r.run_id))


def load_run(stack: str, run_id: str) -> RunRecord:
    path = history_dir(stack) / f"{run_id}.json"
    if not path.is_file():
        known = ", ".join(r.run_id for r in history(stack)[-5:]) or "none"
        raise UserError(f"no run {run_id!r} of {stack} on record (latest: {known})")
    return RunRecord.from_json(json.loads(path.read_text()))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Runner:
    """Runs a definition's steps with `actions` (step id -> what it does)."""

    definition: Definition
    actions: Mapping[str, Action]
    log: Callable[[str], None] = print
    sleep: Callable[[float], None] = time.sleep
    definition_file: str = ""  # kept in each run's record; "" is the packaged definition

    def steps(self, land: bool) -> list[str]:
        return [
            s
            for s in self.definition.order()
            if s in self.actions and (land or not self.definition.step(s).optional)
        ]

    def run(
        self,
        stack: str,
        run_id: str,
        run_date: date,
        mode: str,
        *,
        land: bool = False,
        resume: RunRecord | None = None,
    ) -> RunRecord:
        done = {s.step for s in resume.steps if s.state == "succeeded"} if resume else set()
        record = RunRecord(
            run_id=run_id,
            stack=stack,
            run_date=run_date.isoformat(),
            mode=mode,
            started=_now(),
            resumed_from=resume.run_id if resume else None,
            steps=[StepRecord(s) for s in self.steps(land)],
            pipeline=self.definition.pipeline,
            definition=self.definition_file,
        )
        save(record)
        failed: str | None = None
        for entry in record.steps:
            if entry.step in done:
                entry.state = "succeeded"
                entry.attempts.append(Attempt(0, _now(), 0.0, True, f"done in {resume.run_id}"))  # type: ignore[union-attr]
                continue
            if failed is not None and entry.step in self.definition.downstream(failed):
                entry.state = "skipped"
                continue
            self._attempts(entry, record)
            save(record)
            if entry.state == "failed":
                failed = entry.step
        record.state = "failed" if failed else "succeeded"
        record.finished = _now()
        save(record)
        return record

    def _alert(self, record: RunRecord, when: str, entry: StepRecord) -> None:
        """Raise the definition's alerts for `when` on this step: recorded in the run and
        printed (the local runner's alert channel)."""
        detail = entry.attempts[-1].detail if entry.attempts else ""
        for alert in self.definition.alerts_for(entry.step, when):
            record.alerts.append(
                {"when": when, "step": entry.step, "description": alert.description,
                 "detail": detail}
            )  # fmt: skip
            self.log(f"ALERT ({when}) {entry.step}: {alert.description}: {detail}")

    def _attempts(self, entry: StepRecord, record: RunRecord) -> None:
        policy = self.definition.policy(entry.step)
        for number in range(1, policy.retries + 2):
            started, clock = _now(), time.perf_counter()
            try:
                detail = self.actions[entry.step]()
                ok = True
            except Exception as exc:
                detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                ok = False
            seconds = round(time.perf_counter() - clock, 3)
            entry.attempts.append(Attempt(number, started, seconds, ok, detail))
            self.log(
                f"{entry.step} attempt {number}/{policy.retries + 1}:"
                f" {'ok' if ok else 'FAILED'} in {seconds:.1f}s: {detail}"
            )
            if ok:
                entry.state = "succeeded"
                return
            if number <= policy.retries:
                self._alert(record, "retry", entry)
                wait = policy.delay_s(number)
                self.log(f"{entry.step}: retrying in {wait:g}s")
                self.sleep(wait)
        entry.state = "failed"
        self._alert(record, "failure", entry)


def dates(first: date, last: date) -> list[date]:
    if last < first:
        raise UserError(f"--to {last} is before --from {first}")
    if (last - first).days > 366:
        raise UserError("a backfill covers at most 366 days at a time")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def succeeded_dates(stack: str, pipeline: str | None = None) -> set[str]:
    """Run dates whose latest run (of `pipeline`, when given) succeeded."""
    latest: dict[str, RunRecord] = {}
    for record in history(stack):
        if pipeline is None or record.pipeline == pipeline:
            latest[record.run_date] = record
    return {d for d, r in latest.items() if r.state == "succeeded"}
