"""`--definition FILE` and injected faults: a learner's own definition runs and is recorded
with its pipeline name; a bad file is one `error:` line and exit 2 before anything runs; a
fault fails only the named pipeline's step, only its first attempts, never the packaged
definition. The runner, the definition loader and the CLI are the real code; the steps are
small functions (the Spark work is in `test_pipeline_twin.py`)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pipeline_harness import cli

from lakelab.errors import UserError
from lakelab.pipeline import faults
from lakelab.pipeline.definition import DEFAULT_FILE, load
from lakelab.pipeline.runner import Runner, history, succeeded_dates

STACK = "demo-alice-aws"
DAY = date(2026, 4, 6)
FAULT = faults.Fault(pipeline="daily_sales", step="land", fail_attempts=1, message="API down")


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAKELAB_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def own_copy(tmp_path: Path, name: str = "daily_sales") -> Path:
    path = tmp_path / "pipeline.yaml"
    path.write_text(DEFAULT_FILE.read_text().replace("pipeline: medallion", f"pipeline: {name}"))
    return path


def calls_of(log: list[str]) -> dict[str, object]:
    return {s: (lambda s=s: log.append(s) or f"{s} ok") for s in load().ids}


def test_a_fault_fails_the_first_attempts_of_its_step_in_each_run(tmp_path: Path) -> None:
    faults.inject(STACK, FAULT)
    path = own_copy(tmp_path)
    defn = load(path)
    fault = faults.for_run(STACK, defn.pipeline, path)
    assert fault == FAULT
    for run_id in ("r1", "r2"):  # every run meets it again
        log: list[str] = []
        actions = faults.apply(calls_of(log), fault)  # type: ignore[arg-type]
        record = Runner(
            defn, actions, log=lambda _l: None, sleep=lambda _s: None, definition_file=str(path)
        ).run(STACK, run_id, DAY, "incremental", land=True)
        land = record.step("land").attempts
        assert [(a.number, a.ok) for a in land] == [(1, False), (2, True)]
        assert land[0].detail == "API down (injected: attempt 1 of the first 1 fails)"
        assert log.count("land") == 1  # the failed attempt never reached the real step
    saved = json.loads((state_runs() / "r1.json").read_text())
    assert saved["pipeline"] == "daily_sales" and saved["definition"] == str(path)


def state_runs() -> Path:
    from lakelab.pipeline.runner import history_dir

    return history_dir(STACK)


def test_a_fault_never_reaches_the_packaged_definition_or_another_pipeline(
    tmp_path: Path,
) -> None:
    faults.inject(STACK, FAULT)
    assert faults.for_run(STACK, "medallion", None) is None
    assert faults.for_run(STACK, "medallion", own_copy(tmp_path, "medallion")) is None
    assert faults.for_run(STACK, "other", own_copy(tmp_path, "other")) is None
    with pytest.raises(UserError, match="packaged pipeline 'medallion' cannot be given a fault"):
        faults.inject(STACK, FAULT.model_copy(update={"pipeline": "medallion"}))
    assert faults.clear(STACK) and faults.load(STACK) is None
    # A fault file edited by hand to name the packaged pipeline still never reaches it.
    faults.fault_file(STACK).write_text(
        FAULT.model_copy(update={"pipeline": "medallion"}).model_dump_json()
    )
    assert faults.load(STACK) is not None
    assert faults.for_run(STACK, "medallion", None) is None
    assert faults.for_run(STACK, "medallion", own_copy(tmp_path, "medallion")) is None


def test_a_damaged_fault_file_is_one_clear_error() -> None:
    path = faults.fault_file(STACK)
    path.parent.mkdir(parents=True)
    path.write_text('{"pipeline": "daily_sales", "step": "nope"}')
    with pytest.raises(UserError, match=r"pipeline-faults.json is not a valid fault"):
        faults.load(STACK)


def test_backfill_bookkeeping_is_per_pipeline(tmp_path: Path) -> None:
    log: list[str] = []
    Runner(load(), calls_of(log), log=lambda _l: None).run(STACK, "m1", DAY, "incremental")  # type: ignore[arg-type]
    assert succeeded_dates(STACK, "daily_sales") == set()
    assert succeeded_dates(STACK, "medallion") == succeeded_dates(STACK) == {"2026-04-06"}
    assert [r.pipeline for r in history(STACK)] == ["medallion"]


@pytest.mark.parametrize("command", ["run", "backfill"])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read pipeline definition"),
        ("steps: [\n", "not valid YAML (line 2)"),
        ("pipeline: x\nsteps:\n  - {id: gold, depends_on: [silver]}\n", "which is not a step"),
    ],
)
def test_a_bad_definition_file_is_one_error_line_and_nothing_runs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    content: str | None,
    message: str,
) -> None:
    path = tmp_path / "bad.yaml"
    if content is not None:
        path.write_text(content)
    dates = (
        ["--date", "2026-04-06"]
        if command == "run"
        else ["--from", "2026-04-06", "--to", "2026-04-07"]
    )
    code, out, err = cli(
        capsys, "pipeline", command, "--stack", STACK, *dates, "--definition", str(path)
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err, err
    assert str(path) in err
    assert history(STACK) == []
