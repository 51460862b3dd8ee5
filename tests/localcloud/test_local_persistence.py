"""No data lost: what a learner landed survives `down` + `up`, and `kill -9` of either
emulator + `up`, including writes made just before the kill."""

from __future__ import annotations

import io
import json
import os
import signal
from typing import Any

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from twin_harness import TwinEnv, alive, blueprint

from lakelab.clouds.aws.clients import Target
from lakelab.clouds.aws.names import AwsNames
from lakelab.errors import UserError
from localcloud import twin
from localcloud.azure import blob
from localcloud.inventory import twin_inventory

BIG = bytes(range(256)) * (11 * 1024 * 1024 // 256)  # 11 MiB: a three-part multipart upload
MULTIPART = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)


def _landing(env: TwinEnv) -> str:
    return AwsNames.of(blueprint(env, "demo-alice-aws")).bucket("landing")


def _snapshot(env: TwinEnv) -> dict[str, Any]:
    """Everything the learner wrote, as the emulators report it, through the learner's keys."""
    aws = env.learner("demo-alice-aws")
    s3 = aws.client("s3")
    bucket = _landing(env)
    versions = s3.list_object_versions(Bucket=bucket)
    glue = aws.client("glue")
    table = glue.get_table(DatabaseName="demo_alice_bronze", Name="orders")["Table"]
    record = env.record("demo-alice-azure")
    svc = blob.service(f"http://127.0.0.1:{env.azure_port}", record.identity, record.secret)
    landing = svc.get_container_client("landing")
    return {
        "objects": sorted(
            (v["Key"], v["VersionId"], v["Size"], v["IsLatest"])
            for v in versions.get("Versions", [])
        ),
        "orders": s3.get_object(Bucket=bucket, Key="orders/batch-1.csv")["Body"].read(),
        "big": s3.get_object(Bucket=bucket, Key="big/part.bin")["Body"].read() == BIG,
        "table": (table["Name"], table["StorageDescriptor"]["Location"]),
        "blobs": sorted(b.name for b in landing.list_blobs()),
        "blob": landing.get_blob_client("orders/batch-1.csv").download_blob().readall(),
    }


def _kill(pid_file: os.PathLike[str]) -> int:
    with open(pid_file) as fh:
        pid = int(json.load(fh)["pid"])
    os.kill(pid, signal.SIGKILL)
    assert twin_wait(lambda: not alive(pid))
    return pid


def twin_wait(predicate: Any, timeout: float = 10.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def landed(fresh: TwinEnv) -> TwinEnv:
    twin.up(["demo-alice-aws", "demo-alice-azure"])
    aws = fresh.learner("demo-alice-aws")
    s3 = aws.client("s3")
    bucket = _landing(fresh)
    s3.put_object(Bucket=bucket, Key="orders/batch-1.csv", Body=b"order_id\n1\n")
    s3.put_object(Bucket=bucket, Key="orders/batch-1.csv", Body=b"order_id\n1\n2\n")  # 2nd version
    s3.upload_fileobj(io.BytesIO(BIG), bucket, "big/part.bin", Config=MULTIPART)
    aws.client("glue").create_table(
        DatabaseName="demo_alice_bronze",
        TableInput={"Name": "orders", "StorageDescriptor": {"Location": f"s3://{bucket}/orders/"}},
    )
    record = fresh.record("demo-alice-azure")
    svc = blob.service(f"http://127.0.0.1:{fresh.azure_port}", record.identity, record.secret)
    svc.get_blob_client("landing", "orders/batch-1.csv").upload_blob(b"order_id\n1\n")
    return fresh


def test_down_then_up_keeps_everything(landed: TwinEnv) -> None:
    before = _snapshot(landed)
    assert len(before["objects"]) == 3 and before["big"] is True
    assert sorted(twin.down()) == ["AWS emulator (moto)", "Azure emulator (Azurite)"]
    assert twin.status().emulators[0].state == "stopped"
    with pytest.raises(UserError, match=r"the AWS emulator \(moto\) is not running; start it"):
        twin_inventory("demo-alice-aws")
    assert sorted(twin.up().started) == ["AWS emulator (moto)", "Azure emulator (Azurite)"]
    assert _snapshot(landed) == before


def test_kill_9_of_the_aws_emulator_loses_nothing(landed: TwinEnv) -> None:
    aws = landed.learner("demo-alice-aws")
    # Written right before the kill: acknowledged means kept.
    aws.client("s3").put_object(Bucket=_landing(landed), Key="late/last.csv", Body=b"late")
    before = _snapshot(landed)
    _kill(landed.paths.aws_pid)
    assert twin.status().emulators[0].state == "stopped"
    assert twin.up().started == ["AWS emulator (moto)"]
    assert _snapshot(landed) == before
    s3 = landed.learner("demo-alice-aws").client("s3")
    assert s3.get_object(Bucket=_landing(landed), Key="late/last.csv")["Body"].read() == b"late"
    # Still enforcing after the restart: an unknown key is refused.
    stranger = Target(f"http://127.0.0.1:{landed.aws_port}", "AKIAUNKNOWN000000000", "nope")
    with pytest.raises(ClientError) as refused:
        stranger.client("s3").list_objects_v2(Bucket=_landing(landed))
    assert refused.value.response["Error"]["Code"] == "InvalidAccessKeyId"


def test_kill_9_of_the_azure_emulator_loses_nothing(landed: TwinEnv) -> None:
    record = landed.record("demo-alice-azure")
    svc = blob.service(f"http://127.0.0.1:{landed.azure_port}", record.identity, record.secret)
    svc.get_blob_client("landing", "late/last.csv").upload_blob(b"late")
    before = _snapshot(landed)
    _kill(landed.paths.azure_pid)
    assert twin.up().started == ["Azure emulator (Azurite)"]
    assert _snapshot(landed) == before
    svc = blob.service(f"http://127.0.0.1:{landed.azure_port}", record.identity, record.secret)
    assert svc.get_blob_client("landing", "late/last.csv").download_blob().readall() == b"late"
