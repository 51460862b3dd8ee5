"""The AWS twin's trust boundary: control endpoints need the control token, presigned URLs
work under IAM (SigV4 and SigV2, GET and PUT) and reach only what their signer may reach."""

from __future__ import annotations

import http.client
import stat
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.config import Config
from twin_harness import TwinEnv, blueprint

from lakelab.clouds.aws.access import learner_buckets
from localcloud.aws import control

CONTROL_CALLS = (
    ("POST", "/moto-api/reset-auth", b"1000"),
    ("POST", "//moto-api//reset-auth/", b"1000"),
    ("GET", "/moto-api/data.json", b""),
    ("POST", "/moto-api/reset", b""),
    ("GET", "/_lakelab/health", b""),
    ("POST", "/_lakelab/forget", b'{"names": ["ll-demo-bob"]}'),
)


def _call(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """One request with exactly these headers (urllib would add a form `Content-Type`)."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _base(env: TwinEnv) -> str:
    return f"http://127.0.0.1:{env.aws_port}"


@pytest.mark.parametrize(("method", "path", "body"), CONTROL_CALLS)
@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_control_endpoint_refuses_a_caller_without_the_token(
    demo: TwinEnv, method: str, path: str, body: bytes, token: str | None
) -> None:
    headers = {control.HEADER: token} if token else {}
    status, reply = _call(_base(demo) + path, method, body or None, headers)
    assert status == 403, reply
    assert b"is a control endpoint of the local twin" in reply


def test_iam_is_still_enforced_after_refused_control_calls(demo: TwinEnv) -> None:
    for method, path, body in CONTROL_CALLS:
        _call(_base(demo) + path, method, body or None)
    status, reply = _call(
        _base(demo) + "/_lakelab/health", headers=control.headers(demo.paths.aws_dir)
    )
    assert status == 200
    assert b'"enforcing": true' in reply
    bob_bucket = learner_buckets(blueprint(demo, "demo-bob-aws"))[0]
    s3 = demo.learner("demo-alice-aws").client("s3")
    with pytest.raises(Exception, match="AccessDenied"):
        s3.list_objects_v2(Bucket=bob_bucket)


def test_control_token_is_readable_by_the_owner_only(demo: TwinEnv) -> None:
    token_file = control.token_file(demo.paths.aws_dir)
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert len(token_file.read_text().strip()) == 43  # 32 random bytes, URL-safe base64


def _presigner(env: TwinEnv, stack: str, version: str) -> Any:
    target = env.learner(stack)
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=target.endpoint,
        aws_access_key_id=target.access_key_id,
        aws_secret_access_key=target.secret_access_key,
        region_name=target.region,
        config=Config(signature_version=version, s3={"addressing_style": "path"}),
    )


@pytest.mark.parametrize("version", ["s3v4", "s3"])
def test_presigned_put_then_get_of_own_object(demo: TwinEnv, version: str) -> None:
    bucket = learner_buckets(blueprint(demo, "demo-alice-aws"))[0]
    s3 = _presigner(demo, "demo-alice-aws", version)
    key = f"probe/presigned-{version}.csv"
    put = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key})
    assert _call(put, "PUT", b"id\n7\n")[0] == 200
    get = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key})
    assert _call(get) == (200, b"id\n7\n")
    stored = demo.admin().client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    assert stored == b"id\n7\n"


def test_presigned_put_keeps_a_form_typed_body(demo: TwinEnv) -> None:
    """`curl --data-binary` sends `application/x-www-form-urlencoded`; S3 stores the bytes.
    SigV2 signs the Content-Type, so a SigV2 URL signed without one refuses it, as S3 does."""
    bucket = learner_buckets(blueprint(demo, "demo-alice-aws"))[0]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    v4 = _presigner(demo, "demo-alice-aws", "s3v4")
    put = v4.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "probe/f.csv"})
    assert _call(put, "PUT", b"a=1&b=2", form)[0] == 200
    stored = demo.admin().client("s3").get_object(Bucket=bucket, Key="probe/f.csv")
    assert (stored["Body"].read(), stored["ContentType"]) == (b"a=1&b=2", form["Content-Type"])

    v2 = _presigner(demo, "demo-alice-aws", "s3")
    put = v2.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "probe/g.csv"})
    status, reply = _call(put, "PUT", b"a=1", form)
    assert (status, b"SignatureDoesNotMatch" in reply) == (403, True)


@pytest.mark.parametrize("version", ["s3v4", "s3"])
def test_presigned_url_reaches_only_what_its_signer_may(demo: TwinEnv, version: str) -> None:
    mine = learner_buckets(blueprint(demo, "demo-alice-aws"))[0]
    theirs = learner_buckets(blueprint(demo, "demo-bob-aws"))[0]
    demo.admin().client("s3").put_object(Bucket=theirs, Key="probe/secret.csv", Body=b"x")
    s3 = _presigner(demo, "demo-alice-aws", version)

    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": theirs, "Key": "probe/secret.csv"}
    )
    status, reply = _call(url)
    assert (status, b"AccessDenied" in reply) == (403, True)

    put = s3.generate_presigned_url("put_object", Params={"Bucket": theirs, "Key": "probe/w.csv"})
    assert _call(put, "PUT", b"1")[0] == 403

    own = s3.generate_presigned_url("get_object", Params={"Bucket": mine, "Key": "probe/none"})
    tampered = own.replace(f"Bucket={mine}", "").replace(f"/{mine}/", f"/{theirs}/")
    status, reply = _call(tampered)
    assert (status, b"SignatureDoesNotMatch" in reply) == (403, True)


def test_expired_and_unsigned_urls_are_refused(demo: TwinEnv) -> None:
    bucket = learner_buckets(blueprint(demo, "demo-alice-aws"))[0]
    demo.admin().client("s3").put_object(Bucket=bucket, Key="probe/old.csv", Body=b"x")
    s3 = _presigner(demo, "demo-alice-aws", "s3v4")
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "probe/old.csv"}, ExpiresIn=1
    )
    time.sleep(2.1)
    status, reply = _call(url)
    assert (status, b"Request has expired" in reply) == (403, True)
    status, reply = _call(f"{_base(demo)}/{bucket}/probe/old.csv")
    # moto refuses an anonymous read before any IAM check, with an empty body (S3 sends XML).
    assert (status, reply) == (403, b"")
