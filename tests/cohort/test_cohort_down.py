"""`lakelab cohort down`: destroy, sweep by the cohort tag, leftover report, stack removal.

Nothing here can reach a cloud. AWS is a real moto server on a free local port (boto3 and
lakelab reach it through AWS_ENDPOINT_URL); `pulumi` and `az` are stand-in scripts first on
PATH that record their calls and fake their answers.

moto 5.2's Resource Groups Tagging API returns S3 buckets, Glue resources and Athena workgroups
but no IAM users or roles, Redshift or budgets; the sweep lists those per service by tag (and
lakelab's budget names), which these tests exercise too. moto has no Redshift Serverless at
all: against an emulator endpoint the sweep notes that and moves on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cohort_harness import DEMO_STACKS, FakeCli, Moto, run

from lakelab.clouds.aws.teardown import AwsSweep
from lakelab.clouds.azure.teardown import AzureSweep


def tags(cohort: str, learner: str | None) -> dict[str, str]:
    out = {"cohort": cohort, "managed-by": "lakelab", "course": "end-to-end-pipelines"}
    if learner:
        out["learner"] = learner
    return out


def tag_list(t: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in t.items()]


def leave_behind(moto: Moto, cohort: str, learner: str) -> dict[str, Any]:
    """What a failed `pulumi destroy` could leave (13 resources): a versioned bucket full of
    objects, the Glue databases (the layers' and dbt's) and jobs, an Athena workgroup, an IAM user
    with keys and policies, a role, a budget."""
    t = tags(cohort, learner)
    s3, glue, athena, iam = (moto.client(s) for s in ("s3", "glue", "athena", "iam"))
    bucket = f"ll-{cohort}-{learner}-bronze-abc123"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_list(t)})
    for i in range(5):
        s3.put_object(Bucket=bucket, Key=f"orders/batch={i % 2}/part.parquet", Body=b"x" * 10)
    s3.delete_object(Bucket=bucket, Key="orders/batch=0/part.parquet")  # a delete marker
    snake = f"{cohort}_{learner}"
    for layer in ("bronze", "silver", "gold", "dbt"):  # the layers' databases and dbt's marts'
        glue.create_database(DatabaseInput={"Name": f"{snake}_{layer}"}, Tags=t)
    glue.create_job(
        Name=f"{snake}_bronze_job",
        Role="r",
        Command={"Name": "glueetl", "ScriptLocation": "s3://x/y"},
        Tags=t,
    )
    glue.create_crawler(
        Name=f"{snake}_bronze_crawler", Role="r", DatabaseName=f"{snake}_bronze",
        Targets={"S3Targets": [{"Path": f"s3://{bucket}/"}]}, Tags=t,
    )  # fmt: skip
    glue.create_workflow(Name=f"{snake}_medallion", Tags=t)
    glue.create_trigger(
        Name=f"{snake}_bronze_trigger", Type="ON_DEMAND", WorkflowName=f"{snake}_medallion",
        Actions=[{"JobName": f"{snake}_bronze_job"}], Tags=t,
    )  # fmt: skip
    athena.create_work_group(Name=f"{snake}_wg", Tags=tag_list(t))
    user = f"ll-{cohort}-{learner}"
    iam.create_user(UserName=user, Tags=tag_list(t))
    iam.create_access_key(UserName=user)
    iam.create_login_profile(UserName=user, Password="Passw0rd!Passw0rd")
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
    )
    iam.put_user_policy(UserName=user, PolicyName="learner-policy", PolicyDocument=policy)
    managed = iam.create_policy(PolicyName=f"{user}-extra", PolicyDocument=policy)["Policy"]["Arn"]
    iam.attach_user_policy(UserName=user, PolicyArn=managed)
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "glue.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    iam.create_role(RoleName=f"{user}-glue", AssumeRolePolicyDocument=trust, Tags=tag_list(t))
    iam.put_role_policy(RoleName=f"{user}-glue", PolicyName="lake", PolicyDocument=policy)
    account = moto.client("sts").get_caller_identity()["Account"]
    moto.client("budgets").create_budget(
        AccountId=account,
        Budget={
            "BudgetName": f"{user}-budget",
            "BudgetLimit": {"Amount": "40", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
    )
    return {"bucket": bucket, "user": user, "snake": snake}


def inventory(moto: Moto) -> dict[str, set[str]]:
    s3, glue, athena, iam = (moto.client(s) for s in ("s3", "glue", "athena", "iam"))
    account = moto.client("sts").get_caller_identity()["Account"]
    return {
        "buckets": {b["Name"] for b in s3.list_buckets()["Buckets"]},
        "databases": {d["Name"] for d in glue.get_databases()["DatabaseList"]},
        "jobs": set(glue.list_jobs()["JobNames"]),
        "crawlers": set(glue.list_crawlers()["CrawlerNames"]),
        "workflows": set(glue.list_workflows()["Workflows"]),
        "triggers": set(glue.list_triggers()["TriggerNames"]),
        "workgroups": {w["Name"] for w in athena.list_work_groups()["WorkGroups"]} - {"primary"},
        "users": {u["UserName"] for u in iam.list_users()["Users"]},
        "roles": {r["RoleName"] for r in iam.list_roles()["Roles"]},
        "budgets": {
            b["BudgetName"]
            for b in moto.client("budgets").describe_budgets(AccountId=account).get("Budgets", [])
        },
    }


def test_sweep_deletes_everything_tagged_with_the_cohort_and_nothing_else(moto: Moto) -> None:
    leave_behind(moto, "spring", "alice")
    leave_behind(moto, "spring", "bob")
    keep = leave_behind(moto, "autumn", "alice")  # another cohort
    moto.client("s3").create_bucket(Bucket="not-lakelab")  # untagged
    sweep = AwsSweep("spring", {"us-east-1"})
    found = sweep.find()
    kinds = sorted({f.kind for f in found})
    assert kinds == [
        "athena workgroup", "budget", "glue crawler", "glue database", "glue job", "glue trigger",
        "glue workflow", "iam role", "iam user", "s3 bucket",
    ]  # fmt: skip
    assert {f.learner for f in found} == {"alice", "bob"}

    report = sweep.run()
    assert report.failed == [] and report.leftovers == [] and report.unverified == []
    assert report.clean
    # Per learner: a bucket, 4 Glue databases, a job, crawler, workflow and trigger, a
    # workgroup, a user, a role and a budget.
    assert len(report.deleted) == len(found) == 2 * 13
    assert report.notes == [f"Redshift Serverless in us-east-1: not offered by {moto.url}; skipped"]
    left = inventory(moto)
    assert left["buckets"] == {keep["bucket"], "not-lakelab"}
    assert left["databases"] == {
        f"{keep['snake']}_{x}" for x in ("bronze", "silver", "gold", "dbt")
    }
    assert left["users"] == {keep["user"]}
    assert left["roles"] == {f"{keep['user']}-glue"}
    assert left["budgets"] == {f"{keep['user']}-budget"}
    assert left["jobs"] == {f"{keep['snake']}_bronze_job"}
    assert left["workgroups"] == {f"{keep['snake']}_wg"}


def test_sweep_of_some_learners_and_a_leftover_it_cannot_delete(moto: Moto) -> None:
    leave_behind(moto, "spring", "alice")
    leave_behind(moto, "spring", "bob")
    sqs = moto.client("sqs")
    sqs.create_queue(QueueName="ll-spring-alice-events", tags=tags("spring", "alice"))
    report = AwsSweep("spring", {"us-east-1"}, learners={"alice"}).run()
    assert [(f.kind, f.name) for f in report.leftovers] == [
        ("sqs ll-spring-alice-events", "ll-spring-alice-events")
    ]
    assert (
        report.failed[0][1]
        == "lakelab does not sweep sqs ll-spring-alice-events; delete it by hand"
    )
    assert report.blocks("alice") and not report.blocks("bob")
    left = inventory(moto)
    assert left["users"] == {"ll-spring-bob"}
    assert left["buckets"] == {"ll-spring-bob-bronze-abc123"}


def test_sweep_without_credentials_is_unverified(moto: Moto, monkeypatch: Any) -> None:
    import boto3

    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    report = AwsSweep("spring", {"us-east-1"}, session=boto3.session.Session()).run()
    assert not report.clean
    assert any("Unable to locate credentials" in u for u in report.unverified)


def azure_state(fake: FakeCli) -> None:
    def group(name: str, cohort: str, learner: str | None) -> dict[str, Any]:
        return {
            "name": name,
            "id": f"/subscriptions/0/resourceGroups/{name}",
            "location": "westeurope",
            "tags": tags(cohort, learner),
        }

    fake.set_azure(
        [
            group("rg-ll-demo-alice", "demo", "alice"),
            group("rg-ll-demo-alice-synapse-managed", "demo", "alice"),
            {
                "name": "rg-ll-demo-bob",
                "id": "/subscriptions/0/resourceGroups/rg-ll-demo-bob",
                "location": "westeurope",
                "tags": {},
            },
            group("rg-ll-autumn-alice", "autumn", "alice"),
        ],
        [
            {
                "name": "stray",
                "type": "Microsoft.Storage/storageAccounts",
                "resourceGroup": "rg-shared",
                "id": "/subscriptions/0/resourceGroups/rg-shared/providers/"
                "Microsoft.Storage/storageAccounts/stray",
                "location": "westeurope",
                "tags": tags("demo", "bob"),
            }
        ],
    )


def test_azure_sweep_deletes_learner_groups_and_tagged_resources(fake: FakeCli) -> None:
    azure_state(fake)
    report = AzureSweep("demo").run()
    assert [(f.kind, f.name) for f in report.deleted] == [
        ("Microsoft.Storage/storageAccounts", "stray"),
        ("resource group", "rg-ll-demo-alice"),
        ("resource group", "rg-ll-demo-bob"),  # found by its name though its tags are gone
        ("synapse managed resource group", "rg-ll-demo-alice-synapse-managed"),
    ]
    assert report.clean
    assert [g["name"] for g in fake.azure()["groups"]] == ["rg-ll-autumn-alice"]


def test_azure_sweep_reports_what_it_could_not_delete_or_check(
    fake: FakeCli, monkeypatch: Any
) -> None:
    azure_state(fake)
    monkeypatch.setenv("FAKE_AZ_FAIL_DELETE", "rg-ll-demo-bob")
    report = AzureSweep("demo", {"bob"}).run()
    assert [f.name for f in report.leftovers] == ["rg-ll-demo-bob"]
    assert report.failed[0][1] == "ERROR: (Conflict) deleting rg-ll-demo-bob failed"
    assert report.blocks("bob") and not report.blocks("alice")
    missing = AzureSweep("demo", az=None)
    missing.az = None
    assert missing.run().unverified == [
        "Azure: the Azure CLI (az) is not installed; install it and run `az login`, then re-run"
        " the teardown"
    ]


def test_cohort_down_destroys_sweeps_reports_and_removes(
    home: Path, fake: FakeCli, moto: Moto
) -> None:
    assert run("cohort", "up", "--cohort", "demo").returncode == 0
    leave_behind(moto, "demo", "alice")
    azure_state(fake)
    result = run(
        "cohort",
        "down",
        "--cohort",
        "demo",
        "--yes",
        env={"FAKE_PULUMI_FAIL_DESTROY": "demo-alice-aws"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # (1) destroy with continue-on-error, every stack.
    destroys = fake.argv("destroy")
    assert sorted(a[a.index("--stack") + 1] for a in destroys) == sorted(DEMO_STACKS)
    assert all("--continue-on-error" in a for a in destroys)
    assert "FAILED demo-alice-aws destroy" in result.stdout and "BucketNotEmpty" in result.stdout
    # (2) the sweep removed what the failed destroy left.
    assert "aws sweep deleted 13 leftover resource(s):" in result.stdout  # leave_behind's
    assert "azure sweep deleted 4 leftover resource(s):" in result.stdout
    assert inventory(moto)["buckets"] == set()
    # (3) nothing left, (4) every stack removed from the backend, config files kept.
    assert (
        "clean: nothing of 4 stack(s) is left; removed from the Pulumi backend: 4" in result.stdout
    )
    assert fake.stacks() == {}
    removals = fake.argv("stack rm")
    assert all("--preserve-config" in a for a in removals)
    forced = [a[-1] for a in removals if "--force" in a]
    assert forced == ["demo-alice-aws"]  # its stale state goes only because the sweep cleaned up
    assert sorted(p.name for p in (home / "stacks").glob("Pulumi.demo-*.yaml")) == sorted(
        f"Pulumi.{s}.yaml" for s in DEMO_STACKS
    )
    status = run("cohort", "status", "--cohort", "demo")
    assert status.stdout.count("removed") == 4


def test_cohort_down_exits_non_zero_while_anything_remains(
    home: Path, fake: FakeCli, moto: Moto
) -> None:
    assert run("cohort", "up", "--cohort", "demo", "--cloud", "aws").returncode == 0
    moto.client("sqs").create_queue(QueueName="ll-demo-bob-events", tags=tags("demo", "bob"))
    fake.set_azure([], [])
    result = run("cohort", "down", "--cohort", "demo", "--yes")
    assert result.returncode == 1
    assert "leftovers: still there after destroy and sweep" in result.stdout
    assert "ll-demo-bob-events" in result.stdout
    assert "kept (not clean yet): demo-bob-aws" in result.stdout
    assert "the teardown is not complete" in result.stdout
    removed = sorted(a[-1] for a in fake.argv("stack rm"))
    assert "demo-bob-aws" not in removed and "demo-alice-aws" in removed
    # Once the leftover is gone by hand, a re-run finishes the job.
    sqs = moto.client("sqs")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName="ll-demo-bob-events")["QueueUrl"])
    again = run("cohort", "down", "--cohort", "demo", "--yes")
    assert again.returncode == 0, again.stdout
    assert "demo-bob-aws" in [a[-1] for a in fake.argv("stack rm")]


def test_expired_only(home: Path, fake: FakeCli, moto: Moto) -> None:
    path = home / "stacks" / "Pulumi.demo-bob-aws.yaml"
    path.write_text(path.read_text().replace('"2030-06-30"', '"2026-01-31"'))
    fake.set_azure([], [])
    result = run("cohort", "down", "--cohort", "demo", "--expired-only", "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    # Never deployed, so nothing to destroy: the backend is asked about that stack only.
    assert [a[a.index("--stack") + 1] for a in fake.argv("stack select")] == ["demo-bob-aws"]
    assert "ok demo-bob-aws destroy" in result.stdout
    up = run("cohort", "up", "--cohort", "demo", "--cloud", "aws")
    assert "expired, not deployed: demo-bob-aws" in up.stdout
