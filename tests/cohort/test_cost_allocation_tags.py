"""`lakelab cohort up` checks that the budget's tags are active cost-allocation tags.

Cost Explorer's tag API is an AWS control plane that cannot run here and moto does not emulate
it, so the unit tests answer `ListCostAllocationTags` with botocore's Stubber (the response
shapes are botocore's own model, so a malformed answer fails the stub). The command-level
test runs against moto, which answers that it lacks the call: the check says it could not
tell, and how to activate the tags.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from cohort_harness import FakeCli, Moto, run

from lakelab.clouds.aws.billing import account_warnings, activation_command

REQUEST = {"TagKeys": ["cohort", "learner"], "Type": "UserDefined"}


def ce_answering(*pages: dict) -> object:
    client = boto3.client(
        "ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stub = Stubber(client)
    for i, page in enumerate(pages):
        expected = dict(REQUEST, **({"NextToken": f"t{i}"} if i else {}))
        stub.add_response("list_cost_allocation_tags", page, expected)
    stub.activate()
    return client


def tag(key: str, status: str) -> dict[str, str]:
    return {"TagKey": key, "Type": "UserDefined", "Status": status}


def test_active_tags_need_nothing() -> None:
    ce = ce_answering({"CostAllocationTags": [tag("cohort", "Active"), tag("learner", "Active")]})
    assert account_warnings(ce) == []


def test_an_inactive_or_unseen_tag_is_named_with_the_command() -> None:
    ce = ce_answering(
        {"CostAllocationTags": [tag("cohort", "Active")], "NextToken": "t1"},
        {"CostAllocationTags": [tag("learner", "Inactive")]},
    )
    (warning,) = account_warnings(ce)
    assert warning.startswith("the AWS cost-allocation tag(s) learner are not active")
    assert warning.endswith(
        "run: aws ce update-cost-allocation-tags-status --cost-allocation-tags-status"
        " TagKey=learner,Status=Active"
    )
    unseen = ce_answering({"CostAllocationTags": []})
    assert "tag(s) cohort, learner are not active" in account_warnings(unseen)[0]


def test_a_failed_check_says_so_and_still_gives_the_command() -> None:
    client = boto3.client(
        "ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stub = Stubber(client)
    stub.add_client_error("list_cost_allocation_tags", "AccessDeniedException", "not allowed")
    stub.activate()
    (warning,) = account_warnings(client)
    assert warning.startswith("could not check the AWS cost-allocation tags (An error occurred")
    assert warning.endswith(activation_command(["cohort", "learner"]))


def test_cohort_up_reports_the_check(home: Path, fake: FakeCli, moto: Moto) -> None:
    result = run("cohort", "up", "--cohort", "demo", "--cloud", "aws", "--json")
    assert result.returncode == 0, result.stderr
    (warning,) = json.loads(result.stdout)["warnings"]
    assert warning.startswith("could not check the AWS cost-allocation tags")
    table = run("cohort", "up", "--cohort", "demo", "--cloud", "aws")
    assert "warning: could not check the AWS cost-allocation tags" in " ".join(table.stdout.split())


@pytest.mark.parametrize("cloud", ["azure"])
def test_azure_needs_no_activation(home: Path, fake: FakeCli, cloud: str) -> None:
    result = run("cohort", "up", "--cohort", "demo", "--cloud", cloud, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["warnings"] == []
