"""`lakelab lab list`, the shape of `lab check --json`, `lakelab lab progress`, and `lab reset`
asking first."""

from __future__ import annotations

import json

import pytest
from lab_harness import ALICE, BOB, check_json, lakelab, reset
from twin_harness import TwinEnv
from typer.testing import CliRunner

from lakelab.app import labs as lab_cli
from lakelab.app.main import app as main_app

OURS = ("ingest-and-land", "incremental-vs-full", "multi-source-integration")


def test_list_shows_labs_with_roles_and_tiers(lab_env: TwinEnv) -> None:
    result = lakelab("lab", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for lab in OURS:
        row = next((line for line in lines if f" {lab} " in line), None)
        assert row is not None, f"{lab} missing from:\n{result.stdout}"
        assert "engineer" in row and "architect" in row and "analyst" in row
        assert "L1 L2 L3" in row
    # course order: ingest before incremental before integration
    positions = [result.stdout.index(f" {lab} ") for lab in OURS]
    assert positions == sorted(positions)


def test_check_json_shape(lab_env: TwinEnv) -> None:
    stack = ALICE[0]
    reset("multi-source-integration", stack)
    code, doc = check_json("multi-source-integration", stack)
    assert code == 1
    assert set(doc) == {"lab", "stack", "passed", "total", "ok", "criteria"}
    assert doc["lab"] == "multi-source-integration" and doc["stack"] == stack
    assert doc["ok"] is False and doc["passed"] == 0 and doc["total"] == len(doc["criteria"]) > 0
    for criterion in doc["criteria"]:
        assert set(criterion) == {"id", "description", "expected", "found", "passed"}
        assert isinstance(criterion["id"], str) and criterion["passed"] is False
    ids = [c["id"] for c in doc["criteria"]]
    assert len(ids) == len(set(ids))
    # the same document is kept in the lab's work folder
    saved = lab_env.state / "labs" / stack / "multi-source-integration" / "check.json"
    assert json.loads(saved.read_text()) == doc


def test_progress_shows_who_passes_what(lab_env: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    # Grade two of the labs (one run by alice, one by nobody); each lab has its own tests.
    graded = ["incremental-vs-full", "multi-source-integration"]
    monkeypatch.setattr(lab_cli, "lab_ids", lambda: graded)
    lab = "multi-source-integration"
    for stack in (*ALICE, *BOB):
        reset(lab, stack)
    try:
        for stack in ALICE:
            assert lakelab("lab", "start", lab, "--stack", stack).exit_code == 0
            assert lakelab("lab", "run", lab, "--stack", stack).exit_code == 0
        assert lakelab("lab", "start", lab, "--stack", BOB[0]).exit_code == 0  # bob: no run

        result = lakelab("lab", "progress", "--cohort", "demo", "--json")
        assert result.exit_code == 0, result.output
        rows = {(r["stack"], r["lab"]): r for r in json.loads(result.stdout)}
        assert {s for s, _ in rows} == {*ALICE, *BOB}
        assert {lab_id for _, lab_id in rows} == set(graded)
        assert not any(rows[(s, "incremental-vs-full")]["passed"] for s in (*ALICE, *BOB))
        for stack in ALICE:
            assert rows[(stack, lab)]["ok"] is True
            assert rows[(stack, lab)]["passed"] == rows[(stack, lab)]["total"]
        for stack in BOB:
            assert rows[(stack, lab)]["ok"] is False
            assert rows[(stack, lab)]["passed"] == 0
        passed_ids = {c["id"] for c in rows[(ALICE[0], lab)]["criteria"] if c["passed"]}
        assert {"matching", "known-customers", "confidence"} <= passed_ids

        table = lakelab("lab", "progress", "--cohort", "demo")
        assert table.exit_code == 0, table.output
        text = table.stdout
        alice_line = next(line for line in text.splitlines() if ALICE[0] in line)
        bob_line = next(line for line in text.splitlines() if BOB[0] in line)
        total = rows[(ALICE[0], lab)]["total"]
        assert f"{total}/{total}" in alice_line
        assert f"0/{total}" in bob_line
        assert "missing now: crosswalk-complete" in text
    finally:
        for stack in (*ALICE, *BOB):
            reset(lab, stack)


def test_progress_of_unknown_cohort_is_an_error(lab_env: TwinEnv) -> None:
    with pytest.raises(Exception, match="no stack of cohort 'nobody'"):
        lakelab("lab", "progress", "--cohort", "nobody")


def _lake_keys(stack: str) -> dict[str, list[str]]:
    from lakelab.clouds import lake_of
    from lakelab.naming import LAYERS
    from localcloud import twin

    lake = lake_of(twin.profile_of(stack))
    return {layer: lake.keys(layer) for layer in LAYERS}


def test_reset_asks_first(lab_env: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a terminal `lab reset` refuses in one line; at a terminal a "no" keeps the lab's
    objects and work folder; `--yes` (used by every other lab test) resets."""
    from lakelab.app import confirm
    from lakelab.errors import UserError

    lab, stack = "multi-source-integration", BOB[1]
    reset(lab, stack)
    try:
        assert lakelab("lab", "start", lab, "--stack", stack).exit_code == 0
        keys = _lake_keys(stack)
        assert sum(len(k) for k in keys.values()) > 0
        work = lab_env.state / "labs" / stack / lab
        files = sorted(p.name for p in work.rglob("*") if p.is_file())

        with pytest.raises(UserError) as refused:
            lakelab("lab", "reset", lab, "--stack", stack)
        assert str(refused.value) == (
            f"lakelab lab reset destroys what lab {lab} wrote for learner bob ({stack});"
            " pass --yes to confirm"
        )
        monkeypatch.setattr(confirm, "is_interactive", lambda: True)
        result = CliRunner().invoke(main_app, ["lab", "reset", lab, "--stack", stack], input="n\n")
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[-1] == "nothing changed"
        assert _lake_keys(stack) == keys
        assert sorted(p.name for p in work.rglob("*") if p.is_file()) == files
    finally:
        reset(lab, stack)
