"""The org policy file: its caps drive the policies, a bad file is one error line, and
`lakelab policy show` / `lakelab policy check` show them as a user runs the commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from policy_harness import PRINCIPAL, plan_with, violations

from lakelab.orgpolicy import OrgPolicy, OrgPolicyError, load_org_policy, parse_org_policy

LAKELAB = [sys.executable, "-m", "lakelab"]
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "250", **(env or {})}
    return subprocess.run([*LAKELAB, *args], capture_output=True, text=True, env=full, timeout=180)


def test_the_shipped_file_is_the_defaults() -> None:
    assert load_org_policy(ROOT / "policies" / "org-policy.yaml") == OrgPolicy()
    caps = OrgPolicy()
    assert (caps.budget.max_usd, caps.lab.max_days, caps.spark.max_pool_nodes) == (100, 1461, 10)
    assert (caps.warehouse.max_base_rpu, caps.warehouse.max_weekly_rpu_hours) == (8, 48)


def test_a_changed_cap_changes_the_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    access = {"azurePrincipalId": PRINCIPAL}
    big = plan_with("demo-alice-azure", spark={"maxNodes": 50}, access=access)
    assert violations(big) == {
        "spark-pool-size": ["spark-pool: Spark pool of up to 50 nodes is above 10 nodes"]
    }
    path = tmp_path / "org.yaml"
    path.write_text("spark:\n  maxPoolNodes: 60\nbudget:\n  maxUsd: 30\n")
    monkeypatch.setenv("LAKELAB_ORG_POLICY", str(path))
    assert violations(big) == {
        "budget-limit": ["budget: budget of 40 USD is above the 30 USD a learner may have"]
    }


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"spark": {"maxPoolNodes": 500}},
            "org.yaml: spark.maxPoolNodes: Input should be less than or equal to 200",
        ),
        (
            {"warehouse": {"maxBaseRpu": 1024}},
            "org.yaml: warehouse.maxBaseRpu: Input should be less than or equal to 512",
        ),
        (
            {"spark": {"glueWorkerTypes": ["G.025X"]}},
            "org.yaml: spark.glueWorkerTypes: batch worker types are some of G.1X, G.2X, G.4X;"
            " got ('G.025X',)",
        ),
        (
            {"warehouse": {"maxDedicatedDwu": 150}},
            "org.yaml: warehouse.maxDedicatedDwu: 150 is not a dedicated SQL pool service level",
        ),
        (
            {"budget": {"maxUSD": 5}},
            "org.yaml: budget.maxUSD: is not an org policy setting (check the spelling)",
        ),
    ],
)
def test_a_cap_beyond_what_a_cloud_allows_is_refused(doc: dict[str, object], message: str) -> None:
    with pytest.raises(OrgPolicyError) as info:
        parse_org_policy(doc, "org.yaml")
    assert str(info.value).startswith(message), str(info.value)


def test_policy_show_prints_every_cap() -> None:
    result = run("policy", "show")
    assert result.returncode == 0, result.stderr
    assert "org policy: " + str(ROOT / "policies" / "org-policy.yaml") in result.stdout
    text = " ".join(result.stdout.split())
    for row in (
        "│ budget.maxUsd │ 100 │",
        "│ spark.poolNodeSizes │ Small, Medium │",
        "│ lab.maxDays │ 1461 │",
        "│ network.maxFirewallAddresses │ 65536 │",
    ):
        assert row in text
    assert text.count("│ ") == 3 * len(OrgPolicy().rows())  # one row per cap
    shown = json.loads(run("policy", "show", "--json").stdout)
    assert shown == OrgPolicy().model_dump(by_alias=True, mode="json")


def test_a_bad_org_file_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("spark:\n  maxPoolNodes: 500\n")
    result = run("policy", "show", env={"LAKELAB_ORG_POLICY": str(path)})
    assert result.returncode == 2
    assert result.stderr == (
        "error: org.yaml: spark.maxPoolNodes: Input should be less than or equal to 200\n"
    )


def test_policy_check_of_the_demo_cohort() -> None:
    result = run("policy", "check", "--cohort", "demo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("all 21 policies pass") == 4
    assert result.stdout.count("mandatory violation") == 0


def test_policy_check_fails_clearly(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    source = (tmp_path / "stacks" / "Pulumi.demo-alice-azure.yaml").read_text()
    (tmp_path / "stacks" / "Pulumi.demo-big-azure.yaml").write_text(
        source.replace("learner: alice", "learner: big") + "  lakelab:spark:\n    maxNodes: 50\n"
    )
    result = run(
        "policy", "check", "--stack", "demo-big-azure", env={"LAKELAB_HOME": str(tmp_path)}
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Spark pool of up to 50 nodes is above 10 nodes" in result.stdout
    assert "demo-big-azure: 1 mandatory violation(s)" in result.stdout
