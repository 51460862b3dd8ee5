"""Every lab on both clouds: `lab check` fails on a fresh start and passes after `lab run`."""

from __future__ import annotations

import pytest
from lab_harness import ALICE, check_json, failing, lakelab, reset
from twin_harness import TwinEnv

LABS = ("ingest-and-land", "incremental-vs-full", "multi-source-integration")


@pytest.mark.parametrize("stack", ALICE)
@pytest.mark.parametrize("lab", LABS)
def test_fails_fresh_passes_after_run(lab_env: TwinEnv, lab: str, stack: str) -> None:
    reset(lab, stack)
    try:
        code, before = check_json(lab, stack)
        assert code == 1 and not before["ok"] and before["passed"] == 0, before

        started = lakelab("lab", "start", lab, "--stack", stack)
        assert started.exit_code == 0, started.output
        code, fresh = check_json(lab, stack)
        assert code == 1 and not fresh["ok"], fresh
        assert fresh["total"] == before["total"]  # the same criteria, graded on any state

        ran = lakelab("lab", "run", lab, "--stack", stack)
        assert ran.exit_code == 0, ran.output
        code, after = check_json(lab, stack)
        assert code == 0 and after["ok"], failing(after)
        assert after["passed"] == after["total"] == fresh["total"]
    finally:
        reset(lab, stack)


def test_unknown_lab_is_one_line_error(lab_env: TwinEnv) -> None:
    with pytest.raises(Exception, match="unknown lab 'nope'"):
        lakelab("lab", "check", "nope", "--stack", ALICE[0])
