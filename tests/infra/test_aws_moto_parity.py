"""The S3 settings the AWS program declares, sent to a real S3 API (moto) with the same values.

Pulumi's engine cannot run here, but the arguments it would pass can: each planned lifecycle,
encryption, public-access-block, versioning and ownership setting is rendered in the S3 API's
own shape (the provider's camelCase names, capitalised as the API spells them) and put on a
bucket in moto through boto3, whose model validates every name, type and enum before moto
stores it. Reading it back gives what was declared. A setting the API would refuse fails here.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from lakelab.plan import Plan

S3 = "aws:s3/"
# API names that are not the provider's name capitalised.
SPELLED: dict[str, str] = {"id": "ID", "sseAlgorithm": "SSEAlgorithm"}


def api_shape(value: Any) -> Any:
    """The provider's camelCase inputs as the S3 API's names (`daysAfterInitiation` ->
    `DaysAfterInitiation`); whole floats (the engine's numbers) as ints."""
    if isinstance(value, dict):
        return {SPELLED.get(k, k[:1].upper() + k[1:]): api_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [api_shape(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@pytest.fixture(scope="module")
def s3(moto_url: str) -> Any:
    return boto3.client(
        "s3", endpoint_url=moto_url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip


def settings(plan: Plan, kind: str) -> dict[str, dict[str, Any]]:
    """bucket -> the planned inputs of that kind of setting."""
    return {r.inputs["bucket"]: r.inputs for r in plan.of_type(f"{S3}{kind}")}


def test_every_planned_bucket_setting_is_accepted_as_declared(aws_plan: Plan, s3: Any) -> None:
    buckets = [r.inputs["bucket"] for r in aws_plan.of_type(f"{S3}bucket:Bucket")]
    assert len(buckets) == 7
    lifecycle = settings(aws_plan, "bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    sse = settings(
        aws_plan,
        "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    blocks = settings(aws_plan, "bucketPublicAccessBlock:BucketPublicAccessBlock")
    versioning = settings(aws_plan, "bucketVersioning:BucketVersioning")
    ownership = settings(aws_plan, "bucketOwnershipControls:BucketOwnershipControls")
    for bucket in buckets:
        s3.create_bucket(Bucket=bucket)
        rules = api_shape(lifecycle[bucket]["rules"])
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": rules}
        )
        assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules
        encryption = {"Rules": api_shape(sse[bucket]["rules"])}
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=encryption)
        got = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        assert got["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
        block = api_shape({k: v for k, v in blocks[bucket].items() if k != "bucket"})
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
        assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == block
        rule = api_shape(ownership[bucket]["rule"])
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [rule]})
        if bucket in versioning:
            status = api_shape(versioning[bucket]["versioningConfiguration"])
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=status)
            assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    quarantine = next(b for b in buckets if "-quarantine-" in b)
    ids = [r["ID"] for r in s3.get_bucket_lifecycle_configuration(Bucket=quarantine)["Rules"]]
    assert ids == [
        "abort-incomplete-multipart-uploads",
        "expire-quarantine-orders",
        "expire-quarantine-customers",
        "expire-quarantine-products",
    ]


def test_a_setting_the_api_refuses_fails_here(s3: Any) -> None:
    """The check can fail: a lifecycle rule with a misspelt action is refused by the model."""
    from botocore.exceptions import ParamValidationError

    s3.create_bucket(Bucket="ll-parity-probe")
    wrong = api_shape([{"id": "x", "status": "Enabled", "filter": {"prefix": ""},
                        "expirationz": {"days": 1}}])  # fmt: skip
    with pytest.raises(ParamValidationError, match="Expirationz"):
        s3.put_bucket_lifecycle_configuration(
            Bucket="ll-parity-probe", LifecycleConfiguration={"Rules": wrong}
        )


def budget_request(inputs: dict[str, Any]) -> dict[str, Any]:
    """The planned budget as a CreateBudget request (the provider's fields, the API's names:
    `ands` is `And`, a notification carries its subscribers beside it)."""
    expression = {"And": [api_shape(a) for a in inputs["filterExpression"]["ands"]]}
    return {
        "Budget": {
            "BudgetName": inputs["name"],
            "BudgetType": inputs["budgetType"],
            "BudgetLimit": {"Amount": inputs["limitAmount"], "Unit": inputs["limitUnit"]},
            "TimeUnit": inputs["timeUnit"],
            "FilterExpression": expression,
            "Metrics": [inputs["metrics"]],
        },
        "NotificationsWithSubscribers": [
            {
                "Notification": api_shape(
                    {k: v for k, v in n.items() if k != "subscriberEmailAddresses"}
                ),
                "Subscribers": [
                    {"SubscriptionType": "EMAIL", "Address": a}
                    for a in n["subscriberEmailAddresses"]
                ],
            }
            for n in inputs["notifications"]
        ],
    }


def test_the_planned_budget_is_accepted_and_measures_what_it_filters(aws_plan: Plan) -> None:
    from moto import mock_aws

    inputs = aws_plan.named("aws:budgets/budget:Budget", "budget").inputs
    request = budget_request(inputs)
    with mock_aws():
        budgets = boto3.client("budgets", region_name="us-east-1")
        budgets.create_budget(AccountId="123456789012", **request)
        got = budgets.describe_budget(AccountId="123456789012", BudgetName=inputs["name"])
    budget = got["Budget"]
    assert budget["FilterExpression"] == {
        "And": [
            {"Tags": {"Key": "cohort", "Values": ["demo"]}},
            {"Tags": {"Key": "learner", "Values": ["alice"]}},
        ]
    }
    assert budget["Metrics"] == ["UnblendedCost"]
    assert budget["BudgetLimit"] == {"Amount": "40.00", "Unit": "USD"}
