"""`lakelab local up`: what it creates for a learner, on both clouds, read from the emulators."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import boto3
import duckdb
from azure.storage.blob import BlobServiceClient
from botocore.exceptions import ClientError
from twin_harness import TwinEnv, blueprint, run_cli

from lakelab.clouds.aws.access import aws_learner_policy, learner_buckets
from lakelab.clouds.aws.names import AwsNames
from lakelab.clouds.azure.names import AzureNames
from lakelab.naming import CATALOG_LAYERS, LAYERS
from localcloud import twin
from localcloud.aws import iam, s3
from localcloud.azure import blob
from localcloud.show import inventory_table

MOTO_ACCOUNT = "123456789012"
TAGS = {
    "cohort": "demo",
    "learner": "alice",
    "course": "end-to-end-pipelines",
    "expires": "2030-06-30",
    "managed-by": "lakelab",
}


def test_aws_buckets_have_the_cloud_settings(demo: TwinEnv) -> None:
    bp = blueprint(demo, "demo-alice-aws")
    client = demo.admin().client("s3")
    mine = sorted(b for b in s3.list_buckets(client) if b.startswith("ll-demo-alice-"))
    assert mine == sorted(learner_buckets(bp))
    for bucket in mine:
        purpose = bucket.removeprefix("ll-demo-alice-").rsplit("-", 1)[0]
        assert s3.encryption_algorithm(client, bucket) == "AES256"
        assert s3.public_access_block(client, bucket) == s3.PUBLIC_ACCESS_BLOCK
        assert s3.bucket_tags(client, bucket) == TAGS
        expected = "Enabled" if purpose in ("landing", "bronze") else None
        assert (purpose, s3.versioning(client, bucket)) == (purpose, expected)


def test_aws_catalog_workgroup_and_identity(demo: TwinEnv) -> None:
    bp = blueprint(demo, "demo-alice-aws")
    admin = demo.admin()
    glue = admin.client("glue")
    names = [d["Name"] for d in glue.get_databases()["DatabaseList"]]
    assert sorted(n for n in names if n.startswith("demo_alice_")) == [
        "demo_alice_bronze",
        "demo_alice_dbt",
        "demo_alice_gold",
        "demo_alice_silver",
    ]
    group = admin.client("athena").get_work_group(WorkGroup="demo_alice_wg")["WorkGroup"]
    assert group["Configuration"]["ResultConfiguration"]["OutputLocation"] == (
        f"s3://{AwsNames.of(bp).bucket('query-results')}/"
    )
    assert group["Configuration"]["BytesScannedCutoffPerQuery"] == 1024 * 1024 * 1024
    assert group["Configuration"]["EnforceWorkGroupConfiguration"] is True

    client = admin.client("iam")
    assert iam.user_policies(client, "ll-demo-alice") == {
        "lakelab-learner": aws_learner_policy(bp, MOTO_ACCOUNT)
    }
    keys = client.list_access_keys(UserName="ll-demo-alice")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [demo.record("demo-alice-aws").access_key_id]
    caller = demo.learner("demo-alice-aws").client("sts").get_caller_identity()
    assert caller["Arn"] == f"arn:aws:iam::{MOTO_ACCOUNT}:user/ll-demo-alice"


def test_azure_account_containers_and_catalog(demo: TwinEnv) -> None:
    bp = blueprint(demo, "demo-alice-azure")
    record = demo.record("demo-alice-azure")
    assert record.identity == AzureNames.of(bp).storage_account
    svc = blob.service(f"http://127.0.0.1:{demo.azure_port}", record.identity, record.secret)
    found = blob.containers(svc)
    assert sorted(found) == sorted([*LAYERS, "artifacts"])
    for metadata in found.values():
        assert blob.decode_tags(metadata) == TAGS
    catalog = (
        demo.paths.synapse_dir
        / record.identity
        / f"{AzureNames.of(bp).synapse_workspace}-ondemand.duckdb"
    )
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        schemas = {
            r[0]
            for r in con.execute("SELECT schema_name FROM information_schema.schemata").fetchall()
        }
    finally:
        con.close()
    assert {AwsNames.of(bp).glue_database(layer) for layer in CATALOG_LAYERS} <= schemas


def test_up_again_changes_nothing(demo: TwinEnv) -> None:
    state_before = demo.paths.state_file.read_text()
    journal_before = demo.paths.journal.read_text()
    pids_before = {p.name: p.read_text() for p in (demo.paths.aws_pid, demo.paths.azure_pid)}
    result = twin.up(cohort="demo")
    assert result.started == []
    assert result.provisioned == list(
        ("demo-alice-aws", "demo-alice-azure", "demo-bob-aws", "demo-bob-azure")
    )
    assert demo.paths.state_file.read_text() == state_before
    assert demo.paths.journal.read_text() == journal_before
    assert {
        p.name: p.read_text() for p in (demo.paths.aws_pid, demo.paths.azure_pid)
    } == pids_before


def test_env_file_is_what_the_sdks_read(demo: TwinEnv) -> None:
    text = twin.env("demo-alice-aws")
    assert text == demo.paths.profile("demo-alice-aws").read_text()
    shell = subprocess.run(
        ["bash", "-c", f"{text}\nenv"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
    ).stdout
    exported = dict(line.split("=", 1) for line in shell.splitlines() if "=" in line)
    record = demo.record("demo-alice-aws")
    assert exported["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{demo.aws_port}"
    assert exported["AWS_ACCESS_KEY_ID"] == record.access_key_id
    assert exported["LAKELAB_BUCKET_LANDING"] == "ll-demo-alice-landing-f9ebc2"

    # boto3 needs nothing but these variables.
    code = (
        "import boto3, os\n"
        "s3, bucket = boto3.client('s3'), os.environ['LAKELAB_BUCKET_LANDING']\n"
        "s3.put_object(Bucket=bucket, Key='env/probe.csv', Body=b'a,b')\n"
        "print(s3.get_object(Bucket=bucket, Key='env/probe.csv')['Body'].read())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **_exports(text)},
    )
    assert out.stdout.strip() == "b'a,b'"


def test_azure_env_file_reaches_the_learners_account(demo: TwinEnv) -> None:
    variables = _exports(twin.env("demo-bob-azure"))
    svc = BlobServiceClient.from_connection_string(variables["AZURE_STORAGE_CONNECTION_STRING"])
    svc.get_blob_client("landing", "env/probe.csv").upload_blob(b"x,y", overwrite=True)
    assert svc.get_blob_client("landing", "env/probe.csv").download_blob().readall() == b"x,y"
    assert variables["LAKELAB_SQL_ENDPOINT"] == "ll-demo-bob-syn-0f0901-ondemand"
    import adlfs

    fs = adlfs.AzureBlobFileSystem(connection_string=variables["AZURE_STORAGE_CONNECTION_STRING"])
    assert fs.cat("abfs://landing/env/probe.csv") == b"x,y"


def test_status_and_show(demo: TwinEnv) -> None:
    report = twin.status()
    assert [(e.name, e.state) for e in report.emulators] == [
        ("aws", "running"),
        ("azure", "running"),
    ]
    assert [r.stack for r in report.stacks] == [
        "demo-alice-aws",
        "demo-alice-azure",
        "demo-bob-aws",
        "demo-bob-azure",
    ]
    from localcloud.inventory import twin_inventory

    table = inventory_table([twin_inventory("demo-alice-aws")])
    assert table.row_count == 1
    assert [c.header for c in table.columns][:3] == ["stack", "cloud", "layer storage"]


def test_boto3_default_session_with_profile_variables(demo: TwinEnv) -> None:
    variables = _exports(twin.env("demo-bob-aws"))
    session = boto3.session.Session(
        aws_access_key_id=variables["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=variables["AWS_SECRET_ACCESS_KEY"],
        region_name=variables["AWS_REGION"],
    )
    glue = session.client("glue", endpoint_url=variables["AWS_ENDPOINT_URL"])
    assert sorted(d["Name"] for d in glue.get_databases()["DatabaseList"]) == [
        "demo_bob_bronze",
        "demo_bob_dbt",
        "demo_bob_gold",
        "demo_bob_silver",
    ]


def _exports(text: str) -> dict[str, str]:
    import shlex

    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            out[key] = shlex.split(value)[0] if value else ""
    return out


def test_cli_status_and_show(demo: TwinEnv) -> None:
    status = run_cli("status")
    assert status.returncode == 0, status.stderr
    assert "running" in status.stdout and "lldemobob0f09012d" in status.stdout
    for columns in (80, 200):  # one table per stack, or one wide table
        shown = run_cli("show", columns=columns)
        assert shown.returncode == 0, shown.stderr
        for name in ("ll-demo-alice-landing-f9ebc2", "lldemoalicef9ebc21a", "demo_bob_wg"):
            assert name in shown.stdout
        assert max(len(line) for line in shown.stdout.splitlines()) <= columns
    one = run_cli("show", "--stack", "demo-bob-azure").stdout
    assert "ll-demo-bob-syn-0f0901-ondemand" in one and "demo-alice" not in one


def test_redshift_control_plane_is_served(demo: TwinEnv) -> None:
    admin = demo.admin().client("redshift")
    assert admin.describe_clusters()["Clusters"] == []
    learner = demo.learner("demo-alice-aws").client("redshift")
    try:
        learner.describe_clusters()
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "AccessDenied"
    else:
        raise AssertionError("the learner's policy has no Redshift statement for serverless mode")


def test_state_file_keeps_secrets_private(demo: TwinEnv) -> None:
    assert oct(demo.paths.state_file.stat().st_mode & 0o777) == "0o600"
    assert oct(demo.paths.profile("demo-alice-aws").stat().st_mode & 0o777) == "0o600"
    assert json.loads(demo.paths.state_file.read_text())["aws"]["enforcing"] is True
