"""Isolation is enforced by the emulators: a learner's credential reaches their own lake,
catalog and workgroup, and is refused on every other learner's, for reads, writes and lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from botocore.exceptions import ClientError
from twin_harness import TwinEnv, blueprint

from lakelab.clouds.aws.access import learner_buckets
from lakelab.naming import LAYERS
from localcloud.azure import blob

LEARNERS = ("alice", "bob")


def _multipart(client: Any, bucket: str) -> Any:
    upload = client.create_multipart_upload(Bucket=bucket, Key="probe/multi.bin")["UploadId"]
    part = client.upload_part(
        Bucket=bucket, Key="probe/multi.bin", UploadId=upload, PartNumber=1, Body=b"x" * 1024
    )
    return client.complete_multipart_upload(
        Bucket=bucket,
        Key="probe/multi.bin",
        UploadId=upload,
        MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
    )


def _abort(client: Any, bucket: str) -> Any:
    upload = client.create_multipart_upload(Bucket=bucket, Key="probe/aborted.bin")["UploadId"]
    return client.abort_multipart_upload(Bucket=bucket, Key="probe/aborted.bin", UploadId=upload)


def _s3_operations(client: Any, bucket: str, key: str, home: str) -> dict[str, Callable[[], Any]]:
    """Each operation on `bucket`; `home` is a bucket of the caller's own (for copies)."""
    return {
        "list": lambda: client.list_objects_v2(Bucket=bucket),
        "list versions": lambda: client.list_object_versions(Bucket=bucket),
        "location": lambda: client.get_bucket_location(Bucket=bucket),
        "read": lambda: client.get_object(Bucket=bucket, Key=key)["Body"].read(),
        "head": lambda: client.head_object(Bucket=bucket, Key=key),
        "write": lambda: client.put_object(Bucket=bucket, Key="probe/written.csv", Body=b"1"),
        "multipart write": lambda: _multipart(client, bucket),
        "abort upload": lambda: _abort(client, bucket),
        "copy out": lambda: client.copy_object(
            Bucket=home, Key="probe/copied.csv", CopySource={"Bucket": bucket, "Key": key}
        ),
        "copy in": lambda: client.copy_object(
            Bucket=bucket, Key="probe/copied.csv", CopySource={"Bucket": home, "Key": key}
        ),
        "delete": lambda: client.delete_object(Bucket=bucket, Key="probe/written.csv"),
        "batch delete": lambda: client.delete_objects(
            Bucket=bucket,
            Delete={"Objects": [{"Key": "probe/copied.csv"}, {"Key": "probe/multi.bin"}]},
        ),
    }


def _denied(call: Callable[[], Any]) -> str:
    try:
        result = call()
    except ClientError as exc:
        status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
        return f"{status} {exc.response['Error']['Code']}"
    errors = result.get("Errors") if isinstance(result, dict) else None
    if errors:  # DeleteObjects reports refusals per object
        return f"200 {','.join(sorted({e['Code'] for e in errors}))}"
    return "allowed"


@pytest.fixture(scope="module")
def seeded(demo_twin: TwinEnv) -> TwinEnv:
    """An object in every bucket of both AWS learners, written by the administrator."""
    with demo_twin.active():
        client = demo_twin.admin().client("s3")
        for learner in LEARNERS:
            for bucket in learner_buckets(blueprint(demo_twin, f"demo-{learner}-aws")):
                client.put_object(Bucket=bucket, Key="seed/data.csv", Body=b"id\n1\n")
    return demo_twin


@pytest.mark.parametrize(("me", "other"), [("alice", "bob"), ("bob", "alice")])
def test_s3_cross_learner_is_denied_own_is_allowed(seeded: TwinEnv, me: str, other: str) -> None:
    client = seeded.learner(f"demo-{me}-aws").client("s3")
    mine = learner_buckets(blueprint(seeded, f"demo-{me}-aws"))
    theirs = learner_buckets(blueprint(seeded, f"demo-{other}-aws"))
    assert len(mine) == len(theirs) == len(LAYERS) + 2

    ops = ("list", "list versions", "location", "read", "head", "write", "multipart write")
    ops += ("abort upload", "copy out", "copy in", "delete", "batch delete")
    admin = seeded.admin().client("s3")

    def contents(bucket: str) -> list[tuple[str, str]]:
        versions = admin.list_object_versions(Bucket=bucket).get("Versions", [])
        return sorted((v["Key"], v["VersionId"]) for v in versions)

    untouched = {bucket: contents(bucket) for bucket in theirs}
    denied = {
        (bucket, op): _denied(call)
        for bucket in theirs
        for op, call in _s3_operations(client, bucket, "seed/data.csv", mine[0]).items()
    }
    # head_object has no body, so S3 reports the denial by status only.
    expected = {"head": "403 403", "batch delete": "200 AccessDenied"}
    assert denied == {(b, op): expected.get(op, "403 AccessDenied") for b in theirs for op in ops}
    assert {bucket: contents(bucket) for bucket in theirs} == untouched

    allowed = {
        (bucket, op): _denied(call)
        for bucket in mine
        for op, call in _s3_operations(client, bucket, "seed/data.csv", mine[0]).items()
    }
    assert allowed == {(b, op): "allowed" for b in mine for op in ops}
    assert _denied(client.list_buckets) == "403 AccessDenied"
    assert _denied(lambda: client.create_bucket(Bucket=f"ll-demo-{me}-extra")) == "403 AccessDenied"


@pytest.mark.parametrize(("me", "other"), [("alice", "bob"), ("bob", "alice")])
def test_catalog_and_workgroup_cross_learner_is_denied(
    seeded: TwinEnv, me: str, other: str
) -> None:
    target = seeded.learner(f"demo-{me}-aws")
    glue, athena = target.client("glue"), target.client("athena")
    table = {"Name": "orders", "StorageDescriptor": {"Location": "s3://x/orders/"}}

    def glue_ops(db: str) -> dict[str, Callable[[], Any]]:
        return {
            "get database": lambda: glue.get_database(Name=db),
            "list tables": lambda: glue.get_tables(DatabaseName=db),
            "create table": lambda: glue.create_table(DatabaseName=db, TableInput=table),
            "read table": lambda: glue.get_table(DatabaseName=db, Name="orders"),
            "delete table": lambda: glue.delete_table(DatabaseName=db, Name="orders"),
        }

    # The layers' databases and dbt's marts'.
    for layer in ("bronze", "silver", "gold", "dbt"):
        theirs = {op: _denied(call) for op, call in glue_ops(f"demo_{other}_{layer}").items()}
        assert set(theirs.values()) == {"400 AccessDeniedException"}, theirs
        mine = {op: _denied(call) for op, call in glue_ops(f"demo_{me}_{layer}").items()}
        assert set(mine.values()) == {"allowed"}, mine

    listed = sorted(d["Name"] for d in glue.get_databases()["DatabaseList"])
    assert listed == [f"demo_{me}_{db}" for db in ("bronze", "dbt", "gold", "silver")]

    denied = "400 AccessDeniedException"
    assert _denied(lambda: athena.get_work_group(WorkGroup=f"demo_{other}_wg")) == denied
    assert (
        _denied(
            lambda: athena.start_query_execution(
                QueryString="SELECT 1", WorkGroup=f"demo_{other}_wg"
            )
        )
        == denied
    )
    run = athena.start_query_execution(QueryString="SELECT 1", WorkGroup=f"demo_{me}_wg")
    state = athena.get_query_execution(QueryExecutionId=run["QueryExecutionId"])
    assert state["QueryExecution"]["WorkGroup"] == f"demo_{me}_wg"
    other_client = seeded.learner(f"demo-{other}-aws").client("athena")
    assert (
        _denied(lambda: other_client.get_query_execution(QueryExecutionId=run["QueryExecutionId"]))
        == denied
    )


def _azure_status(call: Callable[[], Any]) -> str:
    try:
        call()
    except HttpResponseError as exc:
        return f"{exc.status_code} {getattr(exc.error_code, 'value', exc.error_code)}"
    return "allowed"


@pytest.mark.parametrize(("me", "other"), [("alice", "bob"), ("bob", "alice")])
def test_azure_cross_learner_is_denied_own_is_allowed(
    demo_twin: TwinEnv, me: str, other: str
) -> None:
    endpoint = f"http://127.0.0.1:{demo_twin.azure_port}"
    mine = demo_twin.record(f"demo-{me}-azure")
    theirs = demo_twin.record(f"demo-{other}-azure")
    owner = blob.service(endpoint, theirs.identity, theirs.secret, retries=0)
    for container in LAYERS:
        owner.get_blob_client(container, "seed/data.csv").upload_blob(b"id\n1\n", overwrite=True)

    # My key, presented for the other learner's account.
    intruder = blob.service(endpoint, theirs.identity, mine.secret, retries=0)
    own = blob.service(endpoint, mine.identity, mine.secret, retries=0)

    def ops(svc: Any, container: str) -> dict[str, Callable[[], Any]]:
        c = svc.get_container_client(container)
        return {
            "list": lambda: list(c.list_blobs()),
            "read": lambda: c.get_blob_client("seed/data.csv").download_blob().readall(),
            "metadata": lambda: c.get_container_properties(),
            "write": lambda: c.get_blob_client("probe/written.csv").upload_blob(
                b"1", overwrite=True
            ),
            "delete": lambda: c.get_blob_client("probe/written.csv").delete_blob(),
        }

    denied = {(c, op): _azure_status(call) for c in LAYERS for op, call in ops(intruder, c).items()}
    assert set(denied.values()) == {"403 AuthorizationFailure"}, denied
    assert _azure_status(lambda: list(intruder.list_containers())) == "403 AuthorizationFailure"

    for container in LAYERS:
        owner.get_blob_client(container, "seed/data.csv").upload_blob(b"id\n1\n", overwrite=True)
        own.get_blob_client(container, "seed/data.csv").upload_blob(b"id\n2\n", overwrite=True)
    allowed = {(c, op): _azure_status(call) for c in LAYERS for op, call in ops(own, c).items()}
    assert set(allowed.values()) == {"allowed"}
    assert sorted(blob.reachable(own)) == sorted([*LAYERS, "artifacts"])

    import requests

    anonymous = requests.get(f"{endpoint}/{theirs.identity}/landing/seed/data.csv", timeout=5)
    assert anonymous.status_code in (401, 403)
