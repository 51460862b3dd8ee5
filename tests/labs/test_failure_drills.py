"""The failure drills: each fault fails loudly or heals as designed, and `lab run` recovers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from lab_harness import ALICE, MemoryLake, check_json, failing, lakelab, reset
from lakelab_jobs.contract import ORDERS
from twin_harness import TwinEnv

from labs.failure_drills import job as daily
from labs.failure_drills import runbook
from labs.failure_drills.__main__ import main as drills_cli
from labs.failure_drills.drills import DRILLS
from labs.failure_drills.generator import (
    BASELINE,
    DAYS,
    NEW_COLUMN,
    SCHEMA_V2,
    control_key,
    products_key,
    source,
)
from labs.failure_drills.source import set_provider
from labs.medallion.lakeio import START_FILE
from lakelab.lake import lake_for

LAB = "failure-drills"
SEED = 20261122


@pytest.fixture(scope="module")
def src():  # type: ignore[no-untyped-def]
    return source(SEED, 0.02)


def test_each_drill_has_its_own_day_and_a_designed_behaviour() -> None:
    days = [d.day for d in DRILLS.values()]
    assert len(set(days)) == 4 and not set(days) & set(BASELINE)
    assert {d.behaviour for d in DRILLS.values()} == {"fail loudly", "heal"}
    assert DRILLS["missing-source-file"].behaviour == DRILLS["schema-change"].behaviour
    assert DRILLS["duplicate-keys"].behaviour == DRILLS["api-outage"].behaviour == "heal"


def test_source_outbox_is_deterministic_and_faults_are_real(src) -> None:  # type: ignore[no-untyped-def]
    assert source(SEED, 0.02).files(DAYS[2]) == src.files(DAYS[2])
    v2 = src.v2_files(DRILLS["schema-change"].day)
    header = next(csv.reader(io.StringIO(next(iter(v2.values())).decode())))
    assert tuple(header) == SCHEMA_V2 and header.index(NEW_COLUMN) == 4
    pos = src.files(DRILLS["duplicate-keys"].day)[f"orders/{DRILLS['duplicate-keys'].day}-pos.csv"]
    lines = pos.decode().splitlines()[1:]
    assert len(lines) == 2 * len(set(lines))  # the retried upload, appended in full
    launch_day = DRILLS["api-outage"].day
    assert len(src.catalogue(launch_day)) > len(src.catalogue(DAYS[4]))
    control = src.control(DAYS[0])
    assert set(control["files"]) == set(src.files(DAYS[0]))


def _memory(tmp_path: Path, src) -> tuple[MemoryLake, Path]:  # type: ignore[no-untyped-def]
    lake = MemoryLake()
    work = tmp_path / "work"
    work.mkdir()
    (work / START_FILE).write_text(json.dumps({"seed": SEED, "scale": 0.02}))
    for day in BASELINE:
        for key, data in src.files(day).items():
            lake.put("landing", key, data)
        lake.put("landing", control_key(day), src.control_bytes(day))
    return lake, work


def test_catalogue_api_lands_products_and_degrades_when_refused(tmp_path: Path, src) -> None:  # type: ignore[no-untyped-def]
    lake, work = _memory(tmp_path, src)
    landed, problems = daily.ingest_catalogue(lake, src, work, list(BASELINE), lambda _: None)
    assert landed == [d.isoformat() for d in BASELINE] and not problems
    assert lake.get("landing", products_key(BASELINE[0])) == src.catalogue_csv(BASELINE[0])

    set_provider(work, False)
    log: list[str] = []
    day = DRILLS["api-outage"].day
    landed, problems = daily.ingest_catalogue(lake, src, work, [day], log.append)
    assert landed == [] and [p.kind for p in problems] == ["source-unreachable"]
    assert len(log) == daily.ATTEMPTS and "refused" in problems[0].detail.lower()


def test_preflight_fails_loudly_on_a_missing_file_and_a_new_column(tmp_path: Path, src) -> None:  # type: ignore[no-untyped-def]
    lake, _ = _memory(tmp_path, src)
    assert daily.preflight(lake, list(BASELINE)) == []
    d3, d4 = DRILLS["missing-source-file"].day, DRILLS["schema-change"].day
    for key, data in src.files(d3).items():
        if not key.endswith("-pos.csv"):
            lake.put("landing", key, data)
    for key, data in src.v2_files(d4).items():
        lake.put("landing", key, data)
    for day in (d3, d4):
        lake.put("landing", control_key(day), src.control_bytes(day))
    problems = daily.preflight(lake, [*BASELINE, d3, d4])
    assert [(p.kind, p.key) for p in problems] == [
        ("missing-file", f"orders/{d3}-pos.csv"),
        ("schema", f"orders/{d4}-pos.csv"),
        ("schema", f"orders/{d4}-web.csv"),
    ]
    assert f"unexpected ['{NEW_COLUMN}']" in problems[1].detail


def test_runbook_entries_need_behaviour_cause_detection_and_fix() -> None:
    entry = runbook.Entry("api-outage", "heal", {"Cause": "The provider's API was down all day."})
    parsed = runbook.parse("api-outage", entry.render())
    assert parsed.behaviour == "heal" and parsed.missing() == ["Detection", "Fix"]
    text = "# x\n\n**Designed behaviour:** Fail loudly\n\n## cause\nA long enough cause here.\n"
    assert runbook.parse("x", text).behaviour == "fail loudly"


@pytest.mark.slow
@pytest.mark.parametrize("stack", ALICE)
def test_drills_break_the_pipeline_and_lab_run_recovers(lab_env: TwinEnv, stack: str) -> None:
    reset(LAB, stack)
    try:
        code, before = check_json(LAB, stack)
        assert code == 1 and before["passed"] == 0, before
        started = lakelab("lab", "start", LAB, "--stack", stack)
        assert started.exit_code == 0, started.output
        code, fresh = check_json(LAB, stack)
        assert code == 1 and set(failing(fresh)) == {
            "gold-matches",
            "silver-orders",
            "pipeline-healthy",
        }

        for drill in DRILLS:
            broke = lakelab("lab", "break", drill, "--stack", stack)
            assert broke.exit_code == 0, broke.output
        code, broken = check_json(LAB, stack)
        assert code == 1
        assert {*DRILLS, *(f"{d}-runbook" for d in DRILLS)} <= set(failing(broken))

        # The job fails loudly in preflight, before any processing...
        assert drills_cli(["job", "--stack", stack, "--dry-run"]) == 1
        lake = lake_for(stack)
        status = json.loads(lake.get("gold", daily.STATUS_KEY))
        kinds = {p["kind"] for p in status["problems"]}
        assert kinds == {"missing-file", "schema", "source-unreachable"}, status["problems"]
        # ...and the shared pipeline on its own stops at the new column, in bronze.
        with pytest.raises(
            Exception,
            match=r"orders/2026-05-07-pos\.csv: line 1: the header does not match the orders "
            r"contract: column 5 is 'store_id', expected 'region'",
        ):
            lakelab("run", "--stack", stack)
        assert not lake.keys("silver", "orders/")

        ran = lakelab("lab", "run", LAB, "--stack", stack)
        assert ran.exit_code == 0, ran.output
        code, after = check_json(LAB, stack)
        assert code == 0 and after["ok"], [c for c in after["criteria"] if not c["passed"]]
        assert after["total"] == fresh["total"] == before["total"] == 11

        status = json.loads(lake.get("gold", daily.STATUS_KEY))
        states = [h["state"] for h in status["history"]]
        assert states[-1] == "healthy" and "failed" in states
        dupes = [f for f in status["findings"] if f["batch"].startswith(str(DAYS[4]))]
        assert dupes and all(f["rows"] > f["distinct_keys"] for f in dupes)
        header = lake.get("landing", f"orders/{DAYS[3]}-pos.csv").decode().splitlines()[0]
        assert header == ",".join(ORDERS.landing)
    finally:
        reset(LAB, stack)
