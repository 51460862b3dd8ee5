"""`plan --cohort` and `policy check --cohort`: many stacks over worker processes give exactly
what planning them one by one gives, in the stacks' order; a bad stack stops the batch first.

The commands run as real processes (the workers are real processes too), over the demo cohort's
stack files copied into a temporary LAKELAB_HOME."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lakelab.plan import plan_stack

ROOT = Path(__file__).resolve().parents[2]
DEMO = sorted(p.name for p in (ROOT / "stacks").glob("Pulumi.demo-*.yaml"))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "stacks").mkdir()
    for name in DEMO:
        shutil.copy(ROOT / "stacks" / name, tmp_path / "stacks" / name)
    return tmp_path


def lakelab(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LAKELAB_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "lakelab", *args], env=env, capture_output=True, text=True
    )


def test_cohort_plan_equals_each_stack_planned_alone(home: Path) -> None:
    done = lakelab(home, "plan", "--cohort", "demo", "--json", "--workers", "2")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)["stacks"]
    stacks = [name[len("Pulumi.") : -len(".yaml")] for name in DEMO]
    assert [s["stack"] for s in listed] == stacks
    os.environ["LAKELAB_HOME"] = str(home)
    try:
        for entry in listed:
            alone = plan_stack(entry["stack"]).to_json()["summary"]
            assert (entry["resources"], entry["components"], entry["by_type"]) == (
                alone["resources"],
                alone["components"],
                alone["by_type"],
            )
            assert entry["cloud"] == entry["stack"].rsplit("-", 1)[1]
    finally:
        del os.environ["LAKELAB_HOME"]


def test_cohort_check_is_the_same_with_one_or_two_workers(home: Path) -> None:
    one = lakelab(home, "policy", "check", "--cohort", "demo", "--workers", "1")
    two = lakelab(home, "policy", "check", "--cohort", "demo", "--workers", "2")
    assert (one.returncode, two.returncode) == (0, 0), two.stderr
    assert two.stdout == one.stdout
    assert two.stdout.rstrip().endswith(f"{len(DEMO)} of {len(DEMO)} stacks pass")
    titles = [line.strip() for line in two.stdout.splitlines() if "policy check: " in line]
    assert [t.split("policy check: ")[1] for t in titles] == [
        name[len("Pulumi.") : -len(".yaml")] for name in DEMO
    ]


def test_a_bad_stack_stops_the_batch_before_any_plan(home: Path) -> None:
    bad = home / "stacks" / "Pulumi.demo-carol-aws.yaml"
    text = (home / "stacks" / "Pulumi.demo-bob-aws.yaml").read_text()
    bad.write_text(text.replace("learner: bob", "learner: carol").replace("budgetUsd: ", "x: "))
    for command in (["plan"], ["policy", "check"]):
        done = lakelab(home, *command, "--cohort", "demo", "--workers", "2")
        assert done.returncode == 2
        assert done.stdout == ""  # nothing was planned or printed
        lines = done.stderr.strip().splitlines()
        assert lines[0].startswith("error: Pulumi.demo-carol-aws.yaml"), done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "error: name one stack with --stack, or a cohort with --cohort"),
        (["--stack", "demo-alice-aws", "--cohort", "demo"], "error: name one stack"),
        (["--cohort", "nobody"], "error: cohort 'nobody' has no stack files"),
    ],
)
def test_plan_needs_one_stack_or_one_cohort(home: Path, args: list[str], message: str) -> None:
    done = lakelab(home, "plan", *args)
    assert done.returncode == 2
    assert done.stderr.startswith(message), done.stderr
