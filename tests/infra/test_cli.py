"""The `lakelab plan` command, run as a user runs it (`lakelab policy`: tests/policies)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LAKELAB = [sys.executable, "-m", "lakelab"]


def run(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250"}  # keep Rich tables on one line per row
    if home is not None:
        env["LAKELAB_HOME"] = str(home)
    return subprocess.run([*LAKELAB, *args], capture_output=True, text=True, env=env, timeout=120)


def test_plan_json_is_stable_and_complete() -> None:
    first, second = (
        run("plan", "--stack", "demo-alice-aws", "--json"),
        run("plan", "-s", "demo-alice-aws", "--json"),
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    doc = json.loads(first.stdout)
    assert doc["schema"] == "lakelab.plan/v1"
    assert doc["summary"]["resources"] == 69
    assert {"urn", "type", "name", "parent", "custom", "inputs", "tags"} == set(doc["resources"][0])


def test_plan_tree_for_azure() -> None:
    result = run("plan", "--stack", "demo-bob-azure")
    assert result.returncode == 0, result.stderr
    assert "demo-bob-azure (azure, westeurope)" in result.stdout
    assert "azure-native:synapse:BigDataPool" in result.stdout
    assert "lldemobob0f09012d" in result.stdout


def test_unknown_stack_is_one_line() -> None:
    result = run("plan", "--stack", "demo-carol-aws")
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown stack 'demo-carol-aws'")
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_invalid_stack_config_names_the_field(scratch_home: Path) -> None:
    path = scratch_home / "stacks" / "Pulumi.demo-carol-aws.yaml"
    path.write_text(GOOD_AWS.format(learner="carol").replace("budgetUsd: 40", "budgetUsd: -1"))
    result = run("plan", "--stack", "demo-carol-aws", home=scratch_home)
    assert result.returncode == 2
    assert "lakelab:budgetUsd: budget must be more than 0 USD, got -1" in result.stderr
    assert "Traceback" not in result.stderr


GOOD_AWS = """config:
  lakelab:cohort: demo
  lakelab:learner: {learner}
  lakelab:course: end-to-end-pipelines
  lakelab:cloud: aws
  lakelab:region: us-east-1
  lakelab:expires: "2030-06-30"
  lakelab:email: x@example.com
  lakelab:budgetUsd: 40
  lakelab:nameSeed: test-seed
"""


def test_plan_accepts_a_stack_file_path(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.demo-dora-aws.yaml"
    path.write_text(GOOD_AWS.format(learner="dora"))
    result = run("plan", "--stack", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outputs"]["identity"]["name"] == "ll-demo-dora"
