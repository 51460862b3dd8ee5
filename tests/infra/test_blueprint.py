"""Blueprint validation: names, dates, budgets, regions, emails, and the error messages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lakelab.blueprint import BlueprintError, from_config
from lakelab.clouds import checked
from lakelab.clouds.aws.names import AwsNames
from lakelab.clouds.azure.names import AzureNames
from lakelab.naming import check_name

TODAY = date(2026, 11, 22)
GOOD: dict[str, Any] = {
    "lakelab:cohort": "demo",
    "lakelab:learner": "alice",
    "lakelab:course": "end-to-end-pipelines",
    "lakelab:cloud": "aws",
    "lakelab:region": "us-east-1",
    "lakelab:expires": "2027-03-31",
    "lakelab:email": "alice@example.com",
    "lakelab:budgetUsd": 40,
}


def bad(**changes: Any) -> str:
    config = {**GOOD, **{f"lakelab:{k}": v for k, v in changes.items()}}
    config = {k: v for k, v in config.items() if v is not None}
    with pytest.raises(BlueprintError) as info:
        from_config(config, today=TODAY)
    return str(info.value)


def test_good_config_gives_deterministic_names() -> None:
    bp = from_config(GOOD, today=TODAY)
    again = from_config(dict(GOOD), today=TODAY)
    assert bp.names == again.names
    assert AwsNames.of(bp).bucket("bronze") == "ll-demo-alice-bronze-f9ebc2"
    assert AzureNames.of(bp).storage_account == "lldemoalicef9ebc21a"
    assert AwsNames.of(bp).glue_database("silver") == "demo_alice_silver"
    assert AwsNames.of(bp).athena_workgroup == "demo_alice_wg"
    assert AzureNames.of(bp).synapse_workspace == "ll-demo-alice-syn-f9ebc2"
    assert bp.stack_name == "demo-alice-aws"
    assert bp.tags == {
        "cohort": "demo",
        "learner": "alice",
        "course": "end-to-end-pipelines",
        "expires": "2027-03-31",
        "managed-by": "lakelab",
    }


def test_names_are_unique_per_cohort_and_learner() -> None:
    names = {
        AwsNames(c, learner).bucket("bronze")
        for c in ("demo", "spring26", "autumn26")
        for learner in ("alice", "bob", "alice-2", "alice2")
    }
    assert len(names) == 12
    accounts = {
        AzureNames(c, learner).storage_account
        for c in ("demo", "demo2")
        for learner in ("alice", "alice-b")
    }
    assert len(accounts) == 4


def test_longest_ids_still_form_valid_names() -> None:
    bp = from_config({**GOOD, "lakelab:cohort": "c" * 12, "lakelab:learner": "l" * 20}, today=TODAY)
    for purpose in ("query-results", "quarantine"):
        assert len(AwsNames.of(bp).bucket(purpose)) <= 63
    assert len(AzureNames.of(bp).storage_account) == 24


@pytest.mark.parametrize(
    ("learner", "reason"),
    [
        ("Alice", "must use lowercase letters"),
        ("alice_smith", "must use lowercase letters"),
        ("1alice", "must use lowercase letters"),
        ("-alice", "must use lowercase letters"),
        ("alice-", "must use lowercase letters"),
        ("al--ice", "must use lowercase letters"),
        ("alice smith", "must use lowercase letters"),
        ("alice.smith", "must use lowercase letters"),
        ("élodie", "must use lowercase letters"),
        ("a" * 21, "is 21 characters; at most 20"),
        ("", "must use lowercase letters"),
        ("alice/bob", "must use lowercase letters"),
    ],
)
def test_bad_learner_ids_name_the_field(learner: str, reason: str) -> None:
    message = bad(learner=learner)
    assert message.startswith("lakelab:learner: ")
    assert reason in message
    assert message.count("\n") == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"expires": "2026-11-21"}, "lakelab:expires: 2026-11-21 is in the past"),
        ({"expires": "next tuesday"}, "lakelab:expires: Input should be a valid date"),
        ({"budgetUsd": 0}, "lakelab:budgetUsd: budget must be more than 0 USD, got 0"),
        ({"budgetUsd": -5}, "lakelab:budgetUsd: budget must be more than 0 USD, got -5"),
        ({"region": "us-east-9"}, "lakelab:region: unknown aws region 'us-east-9'"),
        ({"region": "westeurope"}, "lakelab:region: unknown aws region 'westeurope'"),
        ({"email": "alice@"}, "lakelab:email: 'alice@' is not a valid email address"),
        ({"email": "alice.example.com"}, "lakelab:email: 'alice.example.com' is not a valid"),
        ({"email": "a@b..com"}, "lakelab:email: 'a@b..com' is not a valid email address"),
        ({"cloud": "gcp"}, "lakelab:cloud: Input should be 'aws' or 'azure'"),
        ({"cohort": "Demo"}, "lakelab:cohort: cohort 'Demo' must use lowercase letters"),
        ({"cohort": "a-very-long-cohort"}, "lakelab:cohort: cohort 'a-very-long-cohort' is 18"),
        ({"course": None}, "lakelab:course: is required"),
        ({"budgteUsd": 3}, "lakelab:budgteUsd: is not a lakelab setting (check the spelling)"),
        ({"warehouse": {"mode": "huge"}}, "lakelab:warehouse.mode: Input should be 'none'"),
        ({"warehouse": {"baseCapacityRpu": 12}}, "lakelab:warehouse.baseCapacityRpu: Redshift"),
        ({"warehouse": {"dedicatedSku": "S3"}}, "lakelab:warehouse.dedicatedSku: 'S3' is not a"),
        ({"spark": {"minNodes": 5, "maxNodes": 4}}, "spark.minNodes must not exceed"),
        ({"network": {"allowedIpRanges": ["0.0.0.0/0"]}}, "opens the firewall to the whole"),
        ({"network": {"allowedIpRanges": ["10.0.0.1/8"]}}, "is not an IPv4 CIDR range"),
        ({"access": {"identity": "role"}}, "access.ssoPrincipalArn is required"),
        ({"access": {"azurePrincipalId": "not-a-guid"}}, "is not an Entra ID object id"),
    ],
)
def test_bad_configs_give_one_clear_message(changes: dict[str, Any], expected: str) -> None:
    assert expected in bad(**changes)


def test_an_azure_lab_needs_the_learners_principal() -> None:
    """Azure's home asks for the principal (`CloudTarget.principal`); AWS creates its own user."""
    azure = {**GOOD, "lakelab:cloud": "azure", "lakelab:region": "westeurope"}
    with pytest.raises(BlueprintError) as info:
        checked(from_config(azure, today=TODAY))
    assert str(info.value) == (
        "lakelab:access.azurePrincipalId: an Azure lab needs the learner's Entra ID object id"
    )
    assert checked(from_config(GOOD, today=TODAY)).access.azure_principal_id is None


def test_every_bad_field_is_listed_once() -> None:
    message = bad(learner="Bad_Id", budgetUsd=0, email="nope")
    assert message.splitlines() == [
        "lakelab:learner: learner id 'Bad_Id' must use lowercase letters, digits and single"
        " hyphens, starting with a letter, and not end with a hyphen",
        "lakelab:email: 'nope' is not a valid email address",
        "lakelab:budgetUsd: budget must be more than 0 USD, got 0",
    ]


def test_expired_blueprints_load_for_teardown() -> None:
    bp = from_config({**GOOD, "lakelab:expires": "2026-01-01"}, today=TODAY, allow_expired=True)
    assert bp.is_expired(TODAY)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("s3 bucket", "Upper-case"),
        ("s3 bucket", "ab"),
        ("s3 bucket", "x" * 64),
        ("storage account", "has-hyphen"),
        ("storage account", "a" * 25),
        ("glue name", "has-hyphen"),
        ("synapse workspace", "ws-ondemand-x"),
    ],
)
def test_cloud_naming_rules(kind: str, name: str) -> None:
    with pytest.raises(ValueError, match=kind):
        check_name(kind, name)
