"""The local runner's retries, skips, records, resume and backfill bookkeeping, over the real
pipeline definition. The steps here are small functions that record their calls and fail on
cue (the runner's input, standing in for the Spark and dbt work that
`test_pipeline_twin.py` runs for real); the runner, its records and the definition are the
real code."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from lakelab.errors import UserError
from lakelab.pipeline.definition import load
from lakelab.pipeline.runner import Runner, dates, history, history_dir, load_run, succeeded_dates

STACK = "demo-alice-aws"
DAY = date(2026, 3, 2)
ORDER = ["bronze", "silver", "gold", "catalog", "dbt", "quality_gate"]


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAKELAB_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


class Steps:
    """Step actions that record each call; `fail[step]` is how many calls fail first."""

    def __init__(self, **fail: int) -> None:
        self.fail = dict(fail)
        self.calls: list[str] = []

    def actions(self) -> dict[str, object]:
        return {s: (lambda s=s: self.call(s)) for s in ["land", *ORDER]}

    def call(self, step: str) -> str:
        self.calls.append(step)
        if self.fail.get(step, 0) > 0:
            self.fail[step] -= 1
            raise RuntimeError(f"{step} broke")
        return f"{step} ok"


def runner(steps: Steps, sleeps: list[float]) -> Runner:
    return Runner(load(), steps.actions(), log=lambda _l: None, sleep=sleeps.append)  # type: ignore[arg-type]


def test_a_run_takes_the_steps_in_dependency_order_and_is_recorded() -> None:
    steps, sleeps = Steps(), []
    record = runner(steps, sleeps).run(STACK, "r1", DAY, "incremental")
    assert steps.calls == ORDER  # land is optional: only with --land
    assert record.state == "succeeded" and sleeps == []
    saved = json.loads((history_dir(STACK) / "r1.json").read_text())
    assert [s["state"] for s in saved["steps"]] == ["succeeded"] * 6
    assert saved["run_date"] == "2026-03-02" and saved["finished"]
    landing = Steps()
    runner(landing, []).run(STACK, "r2", DAY, "incremental", land=True)
    assert landing.calls == ["land", *ORDER]


def test_a_flaky_step_is_retried_with_its_backoff() -> None:
    steps, sleeps = Steps(silver=2), []
    record = runner(steps, sleeps).run(STACK, "r1", DAY, "incremental")
    assert record.state == "succeeded"
    attempts = record.step("silver").attempts
    assert [(a.number, a.ok) for a in attempts] == [(1, False), (2, False), (3, True)]
    assert attempts[0].detail == "silver broke"
    assert sleeps == [60.0, 120.0]  # retry_interval_s 60, backoff 2 (medallion.yaml)


def test_a_step_that_keeps_failing_fails_the_run_and_skips_what_depends_on_it() -> None:
    steps, sleeps = Steps(gold=9), []
    record = runner(steps, sleeps).run(STACK, "r1", DAY, "incremental")
    assert record.state == "failed"
    assert len(record.step("gold").attempts) == 3  # retries: 2
    assert [(s.step, s.state) for s in record.steps] == [
        ("bronze", "succeeded"),
        ("silver", "succeeded"),
        ("gold", "failed"),
        ("catalog", "skipped"),
        ("dbt", "skipped"),
        ("quality_gate", "skipped"),
    ]
    assert "catalog" not in steps.calls
    # The definition's failure alert, raised once, with the last attempt's error.
    assert record.alerts == [
        {
            "when": "failure",
            "step": "gold",
            "description": "a step failed after its last retry",
            "detail": "gold broke",
        }
    ]
    assert load_run(STACK, "r1").alerts == record.alerts


def test_resume_runs_only_what_did_not_succeed() -> None:
    runner(Steps(gold=9), []).run(STACK, "r1", DAY, "incremental")
    fixed = Steps()
    record = runner(fixed, []).run(STACK, "r2", DAY, "incremental", resume=load_run(STACK, "r1"))
    assert fixed.calls == ["gold", "catalog", "dbt", "quality_gate"]
    assert record.state == "succeeded" and record.resumed_from == "r1"
    assert record.step("bronze").attempts[0].detail == "done in r1"
    assert [r.run_id for r in history(STACK)] == ["r1", "r2"]
    assert succeeded_dates(STACK) == {"2026-03-02"}


def test_an_unknown_run_and_bad_backfill_ranges_are_one_clear_error() -> None:
    with pytest.raises(UserError, match=r"^no run 'nope' of demo-alice-aws on record"):
        load_run(STACK, "nope")
    assert dates(date(2026, 3, 1), date(2026, 3, 3)) == [
        date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)
    ]  # fmt: skip
    with pytest.raises(UserError, match="is before --from"):
        dates(date(2026, 3, 3), date(2026, 3, 1))
    with pytest.raises(UserError, match="at most 366 days"):
        dates(date(2025, 1, 1), date(2026, 3, 1))
