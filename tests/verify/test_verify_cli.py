"""`lakelab verify` through the command, with the stand-in Pulumi CLI and moto.

What these exercise for real: the command's options and errors, the order of the `pulumi`
calls, the refusal of a live stack, destroy after a failure, landing in S3 and starting the
Glue workflow through boto3 (moto), the pipeline wait and its timeout (moto starts workflow
runs but never executes them, so a run stays RUNNING), the tag sweep and the receipt.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from verify_harness import Fake, plan_outputs, run

from lakelab.verify.steps import KEYS

STACK = "demo-alice-aws"
TITLES = [
    "preview with the policy pack",
    "deploy",
    "read the stack outputs",
    "land one day of sample data as the learner",
    "run the Glue workflow and wait",
    "query gold through Athena",
    "build gold locally from the same data",
    "compare cloud gold with local gold",
    "destroy the stack",
    "sweep by tag: prove nothing is left",
]


def receipt(home: Path) -> dict:
    state = Path(str(home).replace("/home", "/state"))
    files = sorted((state / "verify" / STACK).glob("*.json"))
    assert len(files) == 1
    return json.loads(files[0].read_text())


def test_dry_run_prints_every_step_and_calls_nothing(home: Path, fake: Fake) -> None:
    for stack, pipeline, query in (
        (STACK, "Glue workflow", "Athena"),
        ("demo-alice-azure", "Data Factory pipeline", "Synapse serverless SQL"),
    ):
        result = run("verify", "--stack", stack, "--dry-run")
        assert result.returncode == 0, result.stderr
        titles = [t.replace("Glue workflow", pipeline).replace("Athena", query) for t in TITLES]
        positions = [result.stdout.index(t) for t in titles]
        assert positions == sorted(positions)
        assert f"pulumi destroy --stack {stack} --yes" in result.stdout
    assert fake.calls() == []
    assert len(KEYS) == len(TITLES)


def test_without_the_pulumi_cli_one_error_line(home: Path, tmp_path: Path) -> None:
    result = run("verify", "--stack", STACK, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: the Pulumi CLI is not installed; `lakelab verify --stack demo-alice-aws"
        " --dry-run` shows the steps without it"
    )


def test_bad_day_is_a_usage_error(home: Path, fake: Fake) -> None:
    result = run("verify", "--stack", STACK, "--day", "2030-13-45")
    assert (result.returncode, result.stderr.strip()) == (
        2,
        "error: --day '2030-13-45' is not a date (YYYY-MM-DD)",
    )
    assert fake.calls() == []


def test_a_live_stack_is_refused_and_left_alone(home: Path, fake: Fake) -> None:
    fake.deploy(STACK, 31)
    result = run("verify", "--stack", STACK)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: verify failed at preview with the policy pack: stack demo-alice-aws is deployed"
        " (31 resources); verify deploys and destroys a stack of its own: give it one no"
        " learner uses"
    ]
    assert fake.commands() == ["stack ls"]


def test_a_policy_violation_stops_before_up(home: Path, fake: Fake) -> None:
    result = run("verify", "--stack", STACK, env={"FAKE_PULUMI_FAIL_PREVIEW": STACK})
    assert result.returncode == 1
    assert "error: verify failed at preview with the policy pack: pulumi preview failed:" in (
        result.stderr
    )
    assert fake.commands() == ["stack ls", "stack init", "preview"]


def test_a_failed_up_is_still_destroyed(home: Path, fake: Fake) -> None:
    result = run("verify", "--stack", STACK, "--json", env={"FAKE_PULUMI_FAIL_UP": STACK})
    assert result.returncode == 1
    assert fake.commands() == ["stack ls", "stack init", "preview", "up", "destroy"]
    doc = json.loads(result.stdout)
    assert [(s["key"], s["ok"]) for s in doc["steps"]] == [
        ("preview", True),
        ("up", False),
        ("destroy", True),
        ("sweep", False),
    ]
    assert doc["steps"][1]["detail"] == "pulumi up failed: error: update failed"
    assert doc == receipt(home)
    assert "error: verify failed at deploy: pulumi up failed: error: update failed" in (
        result.stderr
    )


def _learner_on_moto(outputs: dict) -> dict:
    """What `up` would have created for the calls moto answers: the landing bucket, the
    workflow and the learner's access key (moto does not enforce IAM here)."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=outputs["lake"]["landing"]["name"])
    boto3.client("glue").create_workflow(Name=outputs["jobs"]["workflow"])
    iam = boto3.client("iam")
    iam.create_user(UserName=outputs["identity"]["name"])
    key = iam.create_access_key(UserName=outputs["identity"]["name"])["AccessKey"]
    outputs["identity"] |= {
        "access_key_id": key["AccessKeyId"],
        "secret_access_key": key["SecretAccessKey"],
    }
    return outputs


def test_landing_and_a_workflow_that_never_ends(home: Path, fake: Fake, moto: str) -> None:
    outputs = _learner_on_moto(plan_outputs(STACK))
    fake.set_outputs(STACK, outputs)
    result = run(
        "verify",
        "--stack",
        STACK,
        "--json",
        "--rows",
        "50",
        "--day",
        "2026-03-02",
        "--timeout",
        "0.02",
        "--poll",
        "0.2",
    )
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    steps = {s["key"]: s for s in doc["steps"]}
    assert list(steps) == ["preview", "up", "outputs", "land", "pipeline", "destroy", "sweep"]
    assert steps["land"]["ok"] and steps["land"]["detail"].startswith("3 files, ")
    run_id = boto3.client("glue").get_workflow_runs(Name="demo_alice_medallion")["Runs"][0]
    assert steps["pipeline"]["detail"] == (
        f"demo_alice_medallion run {run_id['WorkflowRunId']} still RUNNING after 1 s"
    )
    assert (steps["destroy"]["ok"], steps["sweep"]["ok"]) == (True, True)
    assert steps["sweep"]["detail"] == "nothing left"
    landed = boto3.client("s3").list_objects_v2(Bucket=outputs["lake"]["landing"]["name"])
    assert sorted(o["Key"] for o in landed["Contents"]) == [
        "customers/2026-03-02.csv",
        "orders/2026-03-02.csv",
        "products/2026-03-02.csv",
    ]
    assert doc["actor"] == "IAM user ll-demo-alice (the learner's own access key)"
    assert fake.commands() == [
        "stack ls",
        "stack init",
        "preview",
        "up",
        "stack ls",
        "stack output",
        "destroy",
    ]
    assert (
        "secret_access_key"
        not in (home.parent / "state")
        .joinpath("verify", STACK)
        .glob("*.log")
        .__next__()
        .read_text()
    )


def test_without_a_learner_key_the_receipt_says_who_acted(
    home: Path, fake: Fake, moto: str
) -> None:
    outputs = plan_outputs(STACK)
    boto3.client("s3").create_bucket(Bucket=outputs["lake"]["landing"]["name"])
    fake.set_outputs(STACK, outputs)
    result = run("verify", "--stack", STACK, "--json", "--rows", "20", "--timeout", "0.01")
    doc = json.loads(result.stdout)
    assert doc["actor"] == (
        "the deploying identity: the stack exports no access key for the learner, so the"
        " learner's own permissions are not exercised"
    )
    assert [s["key"] for s in doc["steps"] if s["ok"]][:4] == ["preview", "up", "outputs", "land"]
