"""orchestrated-pipelines on a real twin (moto, local Spark, DuckDB; nothing faked): a fresh
start fails the check; the starter definition, run as given, fails on the injected flaky
step and lets gold run although land failed; the reference (`lab run`) backfills the week and
passes; the template's naive proof fails `proof` only; a second `lab run` skips every date and
passes again. On both clouds (~4 minutes each on 2 cores: eight runs on local Spark)."""

from __future__ import annotations

import json
import time

import pytest
from lab_harness import ALICE, check_json, failing, lakelab, reset
from twin_harness import TwinEnv

from labs.orchestrated_pipelines import layout as L
from labs.orchestrated_pipelines.template import main as template_main
from lakelab.labs.registry import work_dir

pytestmark = pytest.mark.slow
LAB = L.LAB_ID


def _history(stack: str) -> list[dict[str, object]]:
    result = lakelab("pipeline", "history", "--stack", stack, "--json")
    assert result.exit_code == 0, result.output
    return [r for r in json.loads(result.stdout) if r["pipeline"] == L.PIPELINE]


@pytest.mark.parametrize("stack", ALICE)
def test_start_fail_fix_backfill_prove_pass(lab_env: TwinEnv, stack: str) -> None:
    reset(LAB, stack)
    began = time.perf_counter()
    try:
        code, before = check_json(LAB, stack)
        assert code == 1 and before["passed"] == 0 and before["total"] == 9, before

        started = lakelab("lab", "start", LAB, "--stack", stack)
        assert started.exit_code == 0, started.output
        code, fresh = check_json(LAB, stack)
        assert code == 1 and failing(fresh) == [c for c, _ in _criteria() if c != "definition"]

        # The starter as given: land meets the injected failure with no retry; gold, which
        # does not wait for silver, runs anyway (and fails: there is no silver yet).
        path = L.definition_path(work_dir(stack, LAB))
        ran = lakelab(
            "pipeline",
            "backfill",
            "--stack",
            stack,
            "--from",
            "2026-04-06",
            "--to",
            "2026-04-12",
            "--definition",
            str(path),
        )
        assert ran.exit_code == 1 and "stopped at 2026-04-06" in ran.output, ran.output
        (first,) = _history(stack)
        states = {s["step"]: s["state"] for s in first["steps"]}  # type: ignore[attr-defined]
        assert states == {
            "land": "failed",
            "bronze": "skipped",
            "silver": "skipped",
            "gold": "failed",
            "quality_gate": "skipped",
        }
        land = first["steps"][0]["attempts"]  # type: ignore[index]
        assert len(land) == 1 and "(injected:" in land[0]["detail"]

        ran = lakelab("lab", "run", LAB, "--stack", stack)
        assert ran.exit_code == 0, ran.output
        code, after = check_json(LAB, stack)
        assert code == 0 and after["ok"], [c for c in after["criteria"] if not c["passed"]]
        runs = _history(stack)
        assert [(r["run_date"], r["state"]) for r in runs] == [
            ("2026-04-06", "failed"),
            *((d, "succeeded") for d in L.week()),
        ]
        flaky = [[a["ok"] for a in r["steps"][0]["attempts"]] for r in runs[1:]]  # type: ignore[index]
        assert flaky == [[False, True]] * 7
        assert all(r["alerts"][0]["when"] == "retry" for r in runs[1:])  # type: ignore[index]

        template_main(["--stack", stack])  # names the failed first run of 2026-04-06
        code, naive = check_json(LAB, stack)
        assert code == 1 and failing(naive) == ["proof"], naive

        again = lakelab("lab", "run", LAB, "--stack", stack)
        assert again.exit_code == 0 and again.output.count("already succeeded, skipped") == 7
        code, final = check_json(LAB, stack)
        assert code == 0 and final["passed"] == 9 and len(_history(stack)) == 8
    finally:
        reset(LAB, stack)
        print(f"orchestrated-pipelines on the twin: {time.perf_counter() - began:.0f}s")


def _criteria() -> tuple[tuple[str, str], ...]:
    from labs.orchestrated_pipelines.checks import CRITERIA

    return CRITERIA
