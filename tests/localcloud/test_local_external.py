"""An existing AWS endpoint (LocalStack, or a moto server someone else runs): lakelab uses it
and starts no AWS emulator of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer
from twin_harness import TwinEnv, blueprint, free_port

from lakelab.clouds.aws.access import learner_buckets
from lakelab.clouds.aws.clients import Target
from lakelab.errors import UserError
from localcloud import twin
from localcloud.aws import s3


@pytest.fixture
def endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_existing_endpoint_is_used_and_no_moto_is_started(
    fresh: TwinEnv, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    result = twin.up(["demo-alice-aws"], aws_endpoint=endpoint)
    assert (result.started, result.provisioned) == ([], ["demo-alice-aws"])
    assert result.endpoints == {"aws": endpoint}
    assert not fresh.paths.aws_pid.exists()
    assert next((e.name, e.state, e.url) for e in twin.status().emulators) == (
        "aws",
        "external",
        endpoint,
    )

    theirs = Target(endpoint, "test", "test")
    bp = blueprint(fresh, "demo-alice-aws")
    assert s3.list_buckets(theirs.client("s3")) == sorted(learner_buckets(bp))
    assert f"export AWS_ENDPOINT_URL={endpoint}\n" in twin.env("demo-alice-aws")

    # Later commands remember the endpoint; removing and purging clean it up there too.
    assert twin.up(["demo-alice-aws", "demo-bob-aws"]).provisioned == [
        "demo-alice-aws",
        "demo-bob-aws",
    ]
    assert twin.rm(["demo-alice-aws"]) == ["demo-alice-aws"]
    assert s3.list_buckets(theirs.client("s3")) == sorted(
        learner_buckets(blueprint(fresh, "demo-bob-aws"))
    )
    twin.down(purge=True)
    assert s3.list_buckets(theirs.client("s3")) == []


def test_unreachable_endpoint_is_one_clear_error(fresh: TwinEnv) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(UserError, match=f"cannot use the AWS endpoint {url}: Could not connect"):
        twin.up(["demo-alice-aws"], aws_endpoint=url)
    assert not fresh.paths.state_file.exists()
    with pytest.raises(UserError, match="must be an http:// or https:// URL"):
        twin.up(aws_endpoint="localhost:4566")
