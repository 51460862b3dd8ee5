"""`lakelab cohort up` and `status` through the Pulumi Automation API.

Nothing here can reach a cloud or a Pulumi backend: `pulumi` is a stand-in script first on
PATH (tests/cohort/fake_pulumi.py) that records every call and fakes the CLI's answers. The
Automation API, lakelab's worker dirs, the parallel runner, the run log and the resumability
logic are the real code."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import yaml
from cohort_harness import DEMO_STACKS, FakeCli, run

from lakelab.cohort import records


def ups(fake: FakeCli) -> list[str]:
    return sorted(argv[argv.index("--stack") + 1] for argv in fake.argv("up"))


def test_up_runs_every_stack_once_in_parallel_with_one_work_dir_per_worker(
    home: Path, fake: FakeCli
) -> None:
    # Each `up` takes 0.3 s, long enough for two workers to overlap.
    result = run(
        "cohort", "up", "--cohort", "demo", "--workers", "2", env={"FAKE_PULUMI_DELAY": "0.3"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ups(fake) == sorted(DEMO_STACKS)
    assert fake.violations() == ""
    # Every command that touches a workspace ran in a worker's own dir, never the project's.
    work = home / ".lakelab" / "cohorts" / "demo" / "work"
    cwds = {c["cwd"] for c in fake.calls() if c["argv"][0] in ("up", "stack")}
    assert cwds == {str(work / "worker-0"), str(work / "worker-1")}
    # Two stacks really ran at the same time, each in its own dir.
    spans = sorted((c["start"], c["end"], c["cwd"]) for c in fake.calls() if c["argv"][0] == "up")
    overlaps = [(a, b) for a in spans for b in spans if a < b and b[0] < a[1]]
    assert overlaps and all(a[2] != b[2] for a, b in overlaps)
    # The worker's project file is the project's, pointing back at the program and stacks/.
    project = yaml.safe_load((work / "worker-0" / "Pulumi.yaml").read_text())
    assert project["name"] == "lakelab"
    assert (work / "worker-0" / project["stackConfigDir"]).resolve() == (home / "stacks").resolve()
    assert ((work / "worker-0" / project["main"]).resolve() / "__main__.py").is_file()
    # Progress lines, the summary table, the run log and the per-stack logs.
    assert "ok demo-alice-aws up" in result.stdout
    assert "4 succeeded" in result.stdout
    log = records.read("demo")
    assert sorted(r.stack for r in log) == sorted(DEMO_STACKS)
    assert all(r.op == "up" and r.result == "succeeded" and r.resources == 12 for r in log)
    text = (home / ".lakelab" / "cohorts" / "demo" / "logs" / "demo-bob-azure.log").read_text()
    assert "Updating (demo-bob-azure):" in text and "=== succeeded in" in text


def test_a_rerun_touches_only_stacks_that_are_not_up_to_date(home: Path, fake: FakeCli) -> None:
    os.environ["FAKE_PULUMI_FAIL_UP"] = "demo-bob-aws"
    try:
        first = run("cohort", "up", "--cohort", "demo")
    finally:
        del os.environ["FAKE_PULUMI_FAIL_UP"]
    assert first.returncode == 1
    assert "FAILED demo-bob-aws up" in first.stdout
    assert "error: update failed" in first.stdout
    assert "3 succeeded, 1 failed" in first.stdout
    assert "re-run to retry only what is not up to date" in first.stdout

    second = run("cohort", "up", "--cohort", "demo")
    assert second.returncode == 0, second.stdout
    assert "3 of 4 stacks are up to date; 1 to run" in second.stdout
    assert ups(fake) == sorted([*DEMO_STACKS, "demo-bob-aws"])

    # A changed stack file makes that stack (only) out of date.
    path = home / "stacks" / "Pulumi.demo-alice-azure.yaml"
    path.write_text(path.read_text().replace("budgetUsd: 40", "budgetUsd: 45"))
    third = run("cohort", "up", "--cohort", "demo")
    assert third.returncode == 0
    assert "3 of 4 stacks are up to date; 1 to run" in third.stdout
    assert ups(fake).count("demo-alice-azure") == 2

    # A stack that vanished from the backend is out of date too.
    state = json.loads((fake.state / "state.json").read_text())
    del state["stacks"]["demo-alice-aws"]
    (fake.state / "state.json").write_text(json.dumps(state))
    fourth = run("cohort", "up", "--cohort", "demo", "--cloud", "aws")
    assert "1 of 2 stacks are up to date; 1 to run" in fourth.stdout
    assert ups(fake).count("demo-alice-aws") == 2
    assert ups(fake).count("demo-bob-azure") == 1


def test_missing_pulumi_cli_is_one_line(home: Path) -> None:
    env = {"PATH": "/usr/bin:/bin"}
    result = run("cohort", "up", "--cohort", "demo", env=env)
    assert result.returncode == 2
    assert result.stderr == (
        "error: the Pulumi CLI is not installed; `lakelab plan --stack demo-alice-aws` shows what"
        " would be created offline\n"
    )
    assert not (home / ".lakelab" / "cohorts" / "demo" / "runs.jsonl").exists()


def test_unknown_cohort_is_one_line(home: Path, fake: FakeCli) -> None:
    result = run("cohort", "up", "--cohort", "winter")
    assert result.returncode == 2
    assert result.stderr.startswith("error: no stack belongs to cohort 'winter'; write them with")
    assert fake.calls() == []


def test_status_table_and_html(home: Path, fake: FakeCli) -> None:
    assert run("cohort", "up", "--cohort", "demo", "--cloud", "azure").returncode == 0
    # Pretend alice's Azure lab went up four weeks ago.
    log = home / ".lakelab" / "cohorts" / "demo" / "runs.jsonl"
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    for line in lines:
        if line["stack"] == "demo-alice-azure":
            line["at"] = (records.now() - timedelta(days=28)).isoformat()
    log.write_text("".join(json.dumps(x) + "\n" for x in lines))

    result = run("cohort", "status", "--cohort", "demo")
    assert result.returncode == 0, result.stderr
    rows = {
        line.split("│")[1].strip() + "-" + line.split("│")[2].strip(): line
        for line in result.stdout.splitlines()
        if line.count("│") > 6
    }
    assert "up to date" in rows["alice-azure"] and " 12 " in rows["alice-azure"]
    assert "not deployed" in rows["alice-aws"]
    assert "2030-06-30" in rows["bob-aws"]
    # 28 days of the demo Azure lab: always-on storage plus 4 weeks x 6 lab hours.
    # (0.095 x 28 / 30.4167) + 0.9583367 x 24 = 0.0875 + 23.0001 = 23.09
    assert "$23.09" in rows["alice-azure"]
    html = (home / ".lakelab" / "cohorts" / "demo" / "status.html").read_text()
    assert html.startswith("<!doctype html>") and "Cohort demo on the clouds" in html
    assert "$23.09" in html and "<script" not in html and "http" not in html
    assert "`" not in html and "<code>lakelab cost --cohort</code> explains the figures" in html
