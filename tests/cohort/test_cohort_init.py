"""`lakelab cohort init`: a roster becomes stack config files; a re-run with an edited roster
adds and removes exactly the changed learners. Only files in a scratch stacks/ folder are
written; no cloud is involved."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from cohort_harness import HERE, ROOT, run

from lakelab.cohort import records
from lakelab.cohort.configs import apply_sync, plan_sync
from lakelab.cohort.roster import RosterError, Settings, load_roster
from lakelab.stackfiles import list_stacks, load_blueprint

GUID_A = "3f2a9c1e-5b7d-4e8f-9a1b-2c3d4e5f6a7b"
GUID_C = "5c6d7e8f-1a2b-4c3d-9e8f-0a1b2c3d4e5f"
SPRING = Settings(cohort="spring", expires=date(2030, 6, 30), budget_usd=35.5)
ROSTER = (
    "id,name,email,clouds,azurePrincipalId\n"
    f"alice,Alice Liddell,alice@example.com,aws;azure,{GUID_A}\n"
    "bob,Bob Marley,bob@example.com,aws,\n"
    f"carol,Carol O'Neil,carol@example.com,azure,{GUID_C}\n"
)


def init(
    path: Path, settings: Settings = SPRING
) -> tuple[list[str], list[str], list[str], list[str]]:
    learners = load_roster(path, settings)
    plan = plan_sync(learners, settings, path.name)
    apply_sync(plan)
    return plan.added, plan.updated, plan.removed, plan.unchanged


def test_demo_roster_reproduces_the_demo_stacks_byte_for_byte(home: Path) -> None:
    result = run(
        "cohort", "init", str(HERE / "data" / "demo-roster.csv"),
        "--cohort", "demo", "--expires", "2030-06-30", "--budget", "40",
        "--azure-region", "westeurope", "--allow-ip", "203.0.113.0/24",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "2 learners (2 on AWS, 2 on Azure); 0 added, 0 updated, 0 removed, 4 unchanged" in (
        result.stdout
    )
    for path in (ROOT / "stacks").glob("Pulumi.demo-*.yaml"):
        assert (home / "stacks" / path.name).read_bytes() == path.read_bytes()


def test_init_writes_valid_stacks_and_resyncs_exactly(home: Path, tmp_path: Path) -> None:
    roster = tmp_path / "spring.csv"
    roster.write_text(ROSTER)
    added, updated, removed, unchanged = init(roster)
    assert added == [
        "spring-alice-aws",
        "spring-alice-azure",
        "spring-bob-aws",
        "spring-carol-azure",
    ]
    assert (updated, removed, unchanged) == ([], [], [])
    assert list_stacks("spring") == added
    for stack in added:
        bp = load_blueprint(stack)  # the blueprint accepts every file written
        assert bp.budget_usd == 35.5 and bp.expires == date(2030, 6, 30)
    text = (home / "stacks" / "Pulumi.spring-carol-azure.yaml").read_text()
    assert text.startswith('# Cohort "spring": learner "carol" (Carol O\'Neil) on azure.\n')
    assert '  lakelab:expires: "2030-06-30"\n' in text
    assert "  azure-native:location: eastus\n" in text
    before = {p.name: p.read_bytes() for p in (home / "stacks").glob("Pulumi.spring-*.yaml")}

    # bob leaves, dave joins, carol moves to both clouds, alice's email changes.
    roster.write_text(
        ROSTER.replace("bob,Bob Marley,bob@example.com,aws,\n", "")
        .replace("carol@example.com,azure", "carol@example.com,aws;azure")
        .replace("alice@example.com", "alice@school.example")
        + "dave,Dave,dave@example.com,aws,\n"
    )
    added, updated, removed, unchanged = init(roster)
    assert added == ["spring-carol-aws", "spring-dave-aws"]
    assert updated == ["spring-alice-aws", "spring-alice-azure"]
    assert removed == ["spring-bob-aws"]
    assert unchanged == ["spring-carol-azure"]
    after = {p.name: p.read_bytes() for p in (home / "stacks").glob("Pulumi.spring-*.yaml")}
    assert after["Pulumi.spring-carol-azure.yaml"] == before["Pulumi.spring-carol-azure.yaml"]
    assert "Pulumi.spring-bob-aws.yaml" not in after
    # The demo cohort is untouched.
    assert list_stacks("demo") == [
        "demo-alice-aws",
        "demo-alice-azure",
        "demo-bob-aws",
        "demo-bob-azure",
    ]

    # Same roster again: nothing changes.
    assert init(roster)[:3] == ([], [], [])


def refused_writing_nothing(roster: Path, *stderr: str) -> None:
    """`cohort init` of cohort spring from `roster` exits 2 with exactly `stderr` and writes no
    stack."""
    result = run(
        "cohort", "init", str(roster), "--cohort", "spring", "--expires", "2030-06-30",
        "--budget", "40",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines() == list(stderr)
    assert list_stacks("spring") == []


def test_a_bad_roster_writes_nothing(home: Path, tmp_path: Path) -> None:
    roster = tmp_path / "spring.csv"
    roster.write_text(ROSTER + "Eve,Eve,eve@example.com,aws,\n")
    refused_writing_nothing(
        roster,
        "error: spring.csv: 1 error; nothing was written",
        "  line 5: id: learner id 'Eve' must use lowercase letters, digits and single hyphens,"
        " starting with a letter, and not end with a hyphen",
    )


def test_a_deployed_learner_is_not_dropped(home: Path, tmp_path: Path) -> None:
    roster = tmp_path / "spring.csv"
    roster.write_text(ROSTER)
    init(roster)
    records.append(
        "spring",
        records.RunRecord(
            at=records.now(), stack="spring-bob-aws", target="cloud", op="up", result="succeeded"
        ),
    )
    roster.write_text(ROSTER.replace("bob,Bob Marley,bob@example.com,aws,\n", ""))
    with pytest.raises(RosterError) as info:
        init(roster)
    assert str(info.value).splitlines()[1:] == [
        "  roster: spring-bob-aws left the roster but is deployed on its cloud; run"
        " `lakelab cohort down --cohort spring --stack spring-bob-aws` first"
    ]
    assert "spring-bob-aws" in list_stacks("spring")


def test_dry_run_and_yaml_roster(home: Path, tmp_path: Path) -> None:
    roster = tmp_path / "spring.yaml"
    roster.write_text("learners:\n  - {id: zoe, name: Zoe, email: zoe@example.com, clouds: aws}\n")
    result = run(
        "cohort", "init", str(roster), "--cohort", "spring", "--expires", "2030-06-30",
        "--budget", "40", "--dry-run",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "would add Pulumi.spring-zoe-aws.yaml" in result.stdout
    assert "(dry run: nothing written)" in result.stdout
    assert list_stacks("spring") == []


def test_a_stack_of_another_cohort_is_not_taken_over(home: Path, tmp_path: Path) -> None:
    other = tmp_path / "rtx.csv"
    other.write_text("id,name,email,clouds\ny,Y,y@example.com,aws\n")
    init(other, Settings(cohort="rt-x", expires=date(2030, 6, 30), budget_usd=40))
    before = (home / "stacks" / "Pulumi.rt-x-y-aws.yaml").read_bytes()
    roster = tmp_path / "rt.csv"
    roster.write_text("id,name,email,clouds\nx-y,XY,xy@example.com,aws\n")
    result = run(
        "cohort", "init", str(roster), "--cohort", "rt", "--expires", "2030-06-30",
        "--budget", "40",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: rt.csv: 1 error; nothing was written",
        "  line 2: id: rt-x-y-aws would belong to cohort 'rt' learner 'x-y', but"
        " Pulumi.rt-x-y-aws.yaml belongs to cohort 'rt-x' learner 'y'; rename one of them",
    ]
    assert (home / "stacks" / "Pulumi.rt-x-y-aws.yaml").read_bytes() == before
    assert list_stacks("rt") == []


def test_an_alias_bomb_roster_is_refused_and_writes_nothing(home: Path, tmp_path: Path) -> None:
    roster = tmp_path / "spring.yaml"
    roster.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{c}: &{c} [{', '.join([f'*{chr(ord(c) - 1)}'] * 9)}]\n" for c in "bcdefghi")
        + "learners: *i\n"
    )
    refused_writing_nothing(
        roster,
        "error: spring.yaml: 1 error; nothing was written",
        "  line 1: YAML anchors and aliases (&name, *name) are not allowed in a roster; write"
        " each learner out",
    )
