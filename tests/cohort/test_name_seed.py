"""Cloud names carry the organisation's name seed: `cohort init` makes one and keeps it, later
cohorts reuse it, and a cloud stack without one is refused before anything is planned or
deployed. Only files in a scratch stacks/ folder are written; no cloud is involved."""

from __future__ import annotations

import hashlib
import stat
from datetime import date
from pathlib import Path

import pytest
import yaml
from cohort_harness import HERE

from lakelab.app.errors import run_app
from lakelab.app.main import app
from lakelab.blueprint import BlueprintError, from_config
from lakelab.clouds.aws.names import AwsNames
from lakelab.clouds.azure.names import AzureNames
from lakelab.cohort.configs import apply_sync, plan_sync
from lakelab.cohort.roster import Settings, load_roster
from lakelab.plan import plan_stack
from lakelab.stackfiles import read_config

SPRING = Settings(cohort="spring", expires=date(2030, 6, 30), budget_usd=40)
AUTUMN = Settings(cohort="autumn", expires=date(2030, 12, 31), budget_usd=40)
ROSTER = "id,name,email,clouds\nzoe,Zoe,zoe@example.com,aws\n"
HAND_WRITTEN = """config:
  lakelab:cohort: spring
  lakelab:learner: zoe
  lakelab:course: end-to-end-pipelines
  lakelab:cloud: aws
  lakelab:region: us-east-1
  lakelab:expires: "2030-06-30"
  lakelab:email: zoe@example.com
  lakelab:budgetUsd: 40
  aws:region: us-east-1
"""
MISSING = (
    "error: Pulumi.spring-zoe-aws.yaml: lakelab:nameSeed is missing: a cloud stack needs your"
    " organisation's name seed, or its bucket and account names can collide with another"
    " organisation's; `lakelab cohort init` writes it into every stack it generates (and keeps"
    " it in stacks/.name-seed): copy `lakelab:nameSeed` from there into this file, or make one"
    " with `python -c 'import secrets; print(secrets.token_hex(16))'`"
)


def _init(roster: Path, settings: Settings) -> None:
    apply_sync(plan_sync(load_roster(roster, settings), settings, roster.name))


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    with pytest.raises(SystemExit) as exit_info:
        run_app(app, args)
    return int(exit_info.value.code or 0), capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    "command",
    [
        ["plan", "--stack", "spring-zoe-aws"],
        ["policy", "check", "--stack", "spring-zoe-aws"],
        ["cohort", "up", "--cohort", "spring"],
    ],
    ids=" ".join,
)
def test_a_cloud_stack_without_a_seed_is_refused(
    command: list[str],
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")
    (home / "stacks" / "Pulumi.spring-zoe-aws.yaml").write_text(HAND_WRITTEN)
    assert _cli(command, capsys) == (2, [MISSING])


def test_init_makes_one_seed_and_later_cohorts_reuse_it(home: Path, tmp_path: Path) -> None:
    roster = tmp_path / "spring.csv"
    roster.write_text(ROSTER)
    seed_file = home / "stacks" / ".name-seed"
    _init(HERE / "data" / "demo-roster.csv", _demo())
    assert not seed_file.exists()  # the demo cohort keeps its explicit public seed
    assert read_config("demo-alice-aws")["lakelab:nameSeed"] == "lakelab"

    _init(roster, SPRING)
    seed = seed_file.read_text().strip()
    assert len(seed) == 32 and int(seed, 16) >= 0
    assert stat.S_IMODE(seed_file.stat().st_mode) == 0o600
    assert read_config("spring-zoe-aws")["lakelab:nameSeed"] == seed

    _init(roster, AUTUMN)  # a later cohort of the same organisation
    assert read_config("autumn-zoe-aws")["lakelab:nameSeed"] == seed
    assert seed_file.read_text() == seed + "\n"

    # Re-running a cohort keeps the seed its files carry, even when the seed file is gone.
    seed_file.unlink()
    _init(roster, SPRING)
    assert read_config("spring-zoe-aws")["lakelab:nameSeed"] == seed

    # The plan of a generated stack uses the seed in its global names.
    digest = hashlib.sha256(f"{seed}/spring/zoe".encode()).hexdigest()[:6]
    buckets = {
        r.inputs["bucket"] for r in plan_stack("spring-zoe-aws").of_type("aws:s3/bucket:Bucket")
    }
    assert f"ll-spring-zoe-bronze-{digest}" in buckets


def _demo() -> Settings:
    return Settings(
        cohort="demo",
        expires=date(2030, 6, 30),
        budget_usd=40,
        azure_region="westeurope",
        allowed_ip_ranges=("203.0.113.0/24",),
    )


def test_two_seeds_give_different_physical_names() -> None:
    one, two = AwsNames("spring", "zoe", "seed-one"), AwsNames("spring", "zoe", "seed-two")
    assert one.bucket("bronze") == "ll-spring-zoe-bronze-" + _hash("seed-one", 6)
    assert two.bucket("bronze") == "ll-spring-zoe-bronze-" + _hash("seed-two", 6)
    assert set(one.buckets().values()).isdisjoint(two.buckets().values())
    az_one, az_two = (
        AzureNames("spring", "zoe", "seed-one"),
        AzureNames("spring", "zoe", "seed-two"),
    )
    assert az_one.storage_account == "llspringzoe" + _hash("seed-one", 8)
    for name in ("storage_account", "synapse_workspace", "data_factory"):
        assert getattr(az_one, name) != getattr(az_two, name)


def _hash(seed: str, length: int) -> str:
    return hashlib.sha256(f"{seed}/spring/zoe".encode()).hexdigest()[:length]


def test_a_malformed_seed_is_refused() -> None:
    config = yaml.safe_load(HAND_WRITTEN)["config"]
    with pytest.raises(BlueprintError) as info:
        from_config({**config, "lakelab:nameSeed": "a b"}, today=date(2026, 1, 1))
    assert str(info.value) == (
        "lakelab:nameSeed: name seed 'a b' must be 6-64 letters, digits, '-' or '_'"
        " (`lakelab cohort init` writes one)"
    )
