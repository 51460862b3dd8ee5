"""What `lakelab plan` says an offline plan cannot check: the billing currency of an Azure
budget, principal ids, a firewall that admits no deployer, a workgroup without subnets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lakelab.blueprint import from_config
from lakelab.clouds import cloud_for
from lakelab.stackfiles import read_config

LAKELAB = str(Path(sys.executable).parent / "lakelab")
ALICE = "3f2a9c1e-5b7d-4e8f-9a1b-2c3d4e5f6a7b"


def notes(stack: str, **changes: object) -> list[str]:
    config = read_config(stack)
    config.update({f"lakelab:{k}": v for k, v in changes.items()})
    bp = from_config(config)
    return cloud_for(bp.cloud).plan_notes(bp)


def test_azure_notes_currency_and_principal() -> None:
    found = notes("demo-alice-azure")
    assert found[0].startswith("the budget of 40 is in the subscription's billing currency")
    assert found[1] == (
        f"access.azurePrincipalId {ALICE} cannot be checked offline: `pulumi up` fails with"
        " PrincipalNotFound unless it is a user's object id in your tenant"
        f" (check: az ad user show --id {ALICE} --query id)"
    )
    assert len(found) == 2


def test_a_firewall_that_admits_no_deployer_is_named() -> None:
    found = notes("demo-alice-azure", network={"allowedIpRanges": []})
    assert found[-1].startswith("network.allowedIpRanges is empty: no firewall rule admits you")


def test_aws_notes_the_default_vpc_only_without_subnets() -> None:
    assert any("account's default VPC" in n for n in notes("demo-alice-aws"))
    placed = notes(
        "demo-alice-aws", warehouse={"mode": "serverless", "subnetIds": ["subnet-0123abcd"]}
    )
    assert not any("default VPC" in n for n in placed)


def test_plan_prints_the_notes() -> None:
    env = {**os.environ, "COLUMNS": "300"}
    done = subprocess.run(
        [LAKELAB, "plan", "--stack", "demo-alice-azure"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "note: the budget of 40 is in the subscription's billing currency" in done.stdout
