"""Each criterion of orchestrated-pipelines on a planted wrong input, next to the right one:
the starter and the reference definitions, run records built the way the runner writes them,
proofs and gold rows. No twin: the criteria are functions of these inputs (the twin run is
`test_lab_orchestrated_pipelines.py`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from labs.orchestrated_pipelines import checks as C
from labs.orchestrated_pipelines import layout as L
from labs.orchestrated_pipelines.solution import proof_of, reference_definition
from labs.orchestrated_pipelines.template import proof_of as naive_proof_of
from lakelab.pipeline.definition import Definition, load
from lakelab.pipeline.runner import Attempt, RunRecord, StepRecord

STARTER = L.STARTER.read_text()
INJECTED = "the shop's export API timed out (injected: attempt 1 of the first 1 fails)"


def definition(tmp_path: Path, text: str) -> Definition:
    path = tmp_path / "pipeline.yaml"
    path.write_text(text)
    return load(path)


@pytest.fixture
def starter(tmp_path: Path) -> Definition:
    return definition(tmp_path, STARTER)


@pytest.fixture
def reference(tmp_path: Path) -> Definition:
    return definition(tmp_path, reference_definition(STARTER))


def run(
    day: str,
    run_id: str,
    state: str = "succeeded",
    *,
    land: tuple[bool, ...] = (False, True),
    definition: str = "/w/pipeline.yaml",
    pipeline: str = L.PIPELINE,
) -> RunRecord:
    attempts = [
        Attempt(n, "t", 0.1, ok, "landed" if ok else INJECTED) for n, ok in enumerate(land, 1)
    ]
    steps = [StepRecord("land", "succeeded" if land[-1] else "failed", attempts)]
    steps += [StepRecord(s, state) for s in L.STEPS[1:]]
    return RunRecord(
        run_id,
        "s",
        day,
        "incremental",
        "t",
        state,
        steps=steps,
        pipeline=pipeline,
        definition=definition,
    )


def week_runs(**changes: RunRecord) -> list[RunRecord]:
    return [changes.get(f"d{n}", run(d, f"r{n}")) for n, d in enumerate(L.week())]


PATH = Path("/w/pipeline.yaml")


# --- the definition ----------------------------------------------------------------------
def test_definition(tmp_path: Path, starter: Definition) -> None:
    assert C.definition_ok(starter, "loads").passed
    renamed = definition(tmp_path, STARTER.replace("pipeline: daily_sales", "pipeline: mine"))
    assert C.definition_ok(renamed, "loads").found == {"pipeline": "mine", "missing_steps": []}
    cut = definition(
        tmp_path,
        STARTER.replace("    depends_on: [gold]\n", "").replace(
            "  - id: quality_gate\n", "  - id: catalog\n"
        ),
    )
    assert C.definition_ok(cut, "loads").found["missing_steps"] == ["quality_gate"]
    missing = C.read_definition(tmp_path / "nope.yaml")
    assert missing[0] is None and not C.definition_ok(*missing).passed
    (tmp_path / "bad.yaml").write_text("steps: [\n")
    defn, why = C.read_definition(tmp_path / "bad.yaml")
    assert defn is None and why.endswith("bad.yaml: not valid YAML (line 2)")


def test_dependency(starter: Definition, reference: Definition, tmp_path: Path) -> None:
    found = C.dependency(starter)
    assert not found.passed and found.found == ["gold after silver"]
    assert C.dependency(reference).passed
    no_bronze = definition(
        tmp_path, reference_definition(STARTER).replace("  depends_on:\n  - bronze\n", "")
    )
    assert C.dependency(no_bronze).found == ["silver after bronze"]
    assert not C.dependency(None).passed


def test_retry_policy(starter: Definition, reference: Definition, tmp_path: Path) -> None:
    assert not C.retry_policy(starter).passed and C.retry_policy(starter).found["retries"] == 0
    assert C.retry_policy(reference).passed
    by_default = definition(tmp_path, STARTER.replace("  retries: 0\n", "  retries: 1\n", 1))
    assert C.retry_policy(by_default).passed  # the defaults count, as the runner applies them


def test_failure_alert(starter: Definition, reference: Definition, tmp_path: Path) -> None:
    assert C.failure_alert(starter).found == {"uncovered": list(L.STEPS)}
    assert C.failure_alert(reference).passed
    land_only = definition(tmp_path, STARTER + "alerts:\n  - {when: failure, steps: [land]}\n")
    assert C.failure_alert(land_only).found == {"uncovered": list(L.STEPS[1:])}
    retry_only = definition(tmp_path, STARTER + "alerts:\n  - {when: retry}\n")
    assert not C.failure_alert(retry_only).passed


# --- the run records ---------------------------------------------------------------------
def test_backfill() -> None:
    assert C.backfill(C.successes(week_runs()), PATH).passed
    failed = week_runs(d2=run(L.week()[2], "x", "failed"))
    assert C.backfill(C.successes(failed), PATH).found[L.week()[2]] == "no succeeded run"
    elsewhere = week_runs(d6=run(L.week()[6], "x", definition="/tmp/copy.yaml"))
    assert C.backfill(C.successes(elsewhere), PATH).found[L.week()[6]] == (
        "succeeded from another file"
    )
    other = week_runs(d0=run(L.week()[0], "x", pipeline="medallion"))
    assert not C.backfill(C.successes(other), PATH).passed


def test_survived_flaky() -> None:
    records = week_runs()
    assert C.survived_flaky(C.successes(records), records).passed
    no_fault = week_runs(d3=run(L.week()[3], "x", land=(True,)))  # the fault file was removed
    crit = C.survived_flaky(C.successes(no_fault), no_fault)
    assert not crit.passed and crit.found[L.week()[3]] == "ok"
    # A resumed run did land in the run it resumed: that run's attempts count.
    first = run(L.week()[1], "a", "failed")
    resumed = run(L.week()[1], "b")
    resumed.steps[0] = StepRecord("land", "succeeded", [Attempt(0, "t", 0.0, True, "done in a")])
    resumed.resumed_from = "a"
    records = [*week_runs(d1=resumed), first]
    assert C.survived_flaky(C.successes(records), records).found[L.week()[1]] == "injected, ok"


def test_once_per_date() -> None:
    assert C.once_per_date(C.successes(week_runs())).passed
    forced = [*week_runs(), run(L.week()[4], "again")]
    crit = C.once_per_date(C.successes(forced))
    assert not crit.passed and crit.found[L.week()[4]] == 2


def test_proof() -> None:
    records = week_runs()
    ok = C.successes(records)
    assert C.proof(proof_of(records), ok).passed
    wrong = proof_of(records) | {L.week()[0]: "r9"}
    assert not C.proof(wrong, ok).passed
    assert not C.proof("missing", ok).passed
    forced = [*records, run(L.week()[4], "again")]
    twice = C.successes(forced)
    assert not C.proof(proof_of(forced), twice).passed  # two successes prove nothing


def test_the_templates_proof_names_a_failed_first_try() -> None:
    records = [run(L.week()[0], "first", "failed", land=(False,)), *week_runs()]
    naive = naive_proof_of(records)
    assert naive[L.week()[0]] == "first"
    assert not C.proof(naive, C.successes(records)).passed
    assert C.proof(proof_of(records), C.successes(records)).passed


# --- the data ----------------------------------------------------------------------------
def gold() -> dict[tuple[str, str, str], tuple[int, int, Decimal]]:
    return {(d, "P1", r): (3, 5, Decimal("12.50")) for d in L.week() for r in ("north", "south")}


def test_gold_per_date() -> None:
    assert C.gold_per_date(gold(), gold()).passed
    stale = gold()
    stale[(L.week()[5], "P1", "north")] = (3, 5, Decimal("12.49"))
    del stale[(L.week()[6], "P1", "south")]
    crit = C.gold_per_date(stale, gold())
    assert crit.found == dict.fromkeys(L.week(), 0) | {L.week()[5]: 1, L.week()[6]: 1}
    unlanded = {k: v for k, v in gold().items() if k[0] != L.week()[2]}
    assert C.gold_per_date(gold(), unlanded).found[L.week()[2]] == "not landed"
    assert C.gold_per_date({}, gold()).found == dict.fromkeys(L.week(), 2)


def test_every_criterion_has_its_id_and_order() -> None:
    assert [c for c, _ in C.CRITERIA] == [
        "definition",
        "dependency",
        "retry-policy",
        "failure-alert",
        "backfill",
        "survived-flaky",
        "once-per-date",
        "proof",
        "gold-per-date",
    ]
