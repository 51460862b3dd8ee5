"""The AWS journal: superseded writes are dropped when the emulator starts, and what the
learner sees is exactly the same afterwards."""

from __future__ import annotations

import io
from typing import Any

from boto3.s3.transfer import TransferConfig
from twin_harness import TwinEnv, blueprint

from lakelab.clouds.aws.names import AwsNames
from localcloud import twin
from localcloud.aws.journal import Entry, Journal

MIB = 1024 * 1024
MULTIPART = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)


def _view(s3: Any, buckets: list[str]) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for bucket in buckets:
        versions = s3.list_object_versions(Bucket=bucket)
        view[bucket] = sorted(
            (v["Key"], v["VersionId"], v["ETag"], v["IsLatest"])
            for v in versions.get("Versions", [])
        )
        view[f"{bucket} markers"] = sorted(
            (m["Key"], m["VersionId"]) for m in versions.get("DeleteMarkers", [])
        )
        for key, version, *_ in view[bucket]:
            body = s3.get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read()
            tags = s3.get_object_tagging(Bucket=bucket, Key=key, VersionId=version)["TagSet"]
            view[f"{bucket}/{key}@{version}"] = len(body), body[:16], tags
    return view


def test_compaction_keeps_what_the_learner_sees(fresh: TwinEnv) -> None:
    twin.up(["demo-alice-aws"], spark=False)
    names = AwsNames.of(blueprint(fresh, "demo-alice-aws"))
    silver, landing = names.bucket("silver"), names.bucket("landing")
    s3 = fresh.learner("demo-alice-aws").client("s3")

    s3.put_object(Bucket=silver, Key="a.csv", Body=b"v1")  # superseded
    s3.put_object(Bucket=silver, Key="a.csv", Body=b"v2")
    first = bytes([1]) * (11 * MIB)
    s3.upload_fileobj(
        io.BytesIO(first), silver, "big.bin", Config=MULTIPART
    )  # superseded: 5 entries
    s3.upload_fileobj(io.BytesIO(bytes([2]) * (11 * MIB)), silver, "big.bin", Config=MULTIPART)
    s3.put_object(Bucket=silver, Key="c.csv", Body=b"c1")  # kept: copied from before the rewrite
    s3.copy_object(Bucket=silver, Key="d.csv", CopySource={"Bucket": silver, "Key": "c.csv"})
    s3.put_object(Bucket=silver, Key="c.csv", Body=b"c2")
    s3.put_object(Bucket=silver, Key="e.csv", Body=b"e1")  # kept: tagged before the rewrite
    admin = fresh.admin().client("s3")  # the learner's policy has no object tagging
    admin.put_object_tagging(
        Bucket=silver, Key="e.csv", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]}
    )
    s3.put_object(Bucket=silver, Key="e.csv", Body=b"e2")
    s3.put_object(Bucket=silver, Key="f.csv", Body=b"f1")  # superseded by the batch delete
    s3.delete_objects(Bucket=silver, Delete={"Objects": [{"Key": "f.csv"}]})
    upload = s3.create_multipart_upload(Bucket=silver, Key="g.bin")[
        "UploadId"
    ]  # aborted: 3 entries
    s3.upload_part(
        Bucket=silver, Key="g.bin", UploadId=upload, PartNumber=1, Body=bytes([3]) * (5 * MIB)
    )
    s3.abort_multipart_upload(Bucket=silver, Key="g.bin", UploadId=upload)
    s3.put_object(Bucket=landing, Key="x.csv", Body=b"x1")  # versioned bucket: both kept
    s3.put_object(Bucket=landing, Key="x.csv", Body=b"x2")
    s3.delete_object(Bucket=landing, Key="x.csv")

    before = _view(admin, [silver, landing])
    lines = len(fresh.paths.journal.read_text().splitlines())
    bodies = len(list((fresh.paths.aws_dir / "bodies").iterdir()))
    twin.down()
    twin.up(spark=False)
    assert _view(fresh.admin().client("s3"), [silver, landing]) == before
    assert len(fresh.paths.journal.read_text().splitlines()) == lines - 10
    # The first big upload's parts (two distinct bodies) and the aborted part are gone.
    assert len(list((fresh.paths.aws_dir / "bodies").iterdir())) == bodies - 3
    assert "compacted the journal: 10 superseded writes dropped" in fresh.paths.aws_log.read_text()


def test_a_torn_last_line_is_cut_and_the_next_write_kept(tmp_path: Any) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    entry = Entry(1, "PUT", "/bucket", {"Authorization": "x"}, b"")
    journal.append(entry)
    journal.close()
    with open(path, "a") as fh:
        fh.write('{"seed": 2, "method": "PU')  # the process died here
    journal = Journal(path)
    journal.append(Entry(3, "PUT", "/other", {}, b"body"))
    assert [(e.seed, e.uri, e.body) for e in journal.entries()] == [
        (1, "/bucket", b""),
        (3, "/other", b"body"),
    ]
    assert journal.forget(["bucket"]) == 0  # refs decide, not the uri
    journal.append(Entry(4, "PUT", "/gone", {}, b"x" * 5000, refs=["gone"]))
    assert len(list((tmp_path / "bodies").iterdir())) == 1
    assert journal.forget(["gone"]) == 1
    assert list((tmp_path / "bodies").iterdir()) == []
    assert [e.seed for e in journal.entries()] == [1, 3]
