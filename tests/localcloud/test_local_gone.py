"""`lakelab local up` reports a learner on record whose resources the emulators no longer have
(an emulator's data reset or deleted by hand), and `local up --stack` brings them back."""

from __future__ import annotations

from twin_harness import TwinEnv, blueprint, run_cli

from lakelab.clouds.aws.access import learner_buckets
from lakelab.clouds.azure.names import AzureNames
from localcloud import twin
from localcloud.azure import blob

STACKS = ["demo-alice-aws", "demo-alice-azure"]


def test_up_reports_resources_that_are_gone_and_up_stack_restores_them(fresh: TwinEnv) -> None:
    twin.up(STACKS)
    assert twin.up().missing == {}

    bucket = learner_buckets(blueprint(fresh, "demo-alice-aws"))[-1]
    fresh.admin().client("s3").delete_bucket(Bucket=bucket)
    record = fresh.record("demo-alice-azure")
    svc = blob.service(f"http://127.0.0.1:{fresh.azure_port}", record.identity, record.secret)
    svc.delete_container("gold")

    assert twin.up().missing == {"demo-alice-aws": [bucket], "demo-alice-azure": ["gold"]}
    out = run_cli("up", columns=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == [
        f"warning: demo-alice-aws: resources on record are gone: {bucket}; "
        "`lakelab local up --stack demo-alice-aws` recreates them, empty",
        "warning: demo-alice-azure: resources on record are gone: gold; "
        "`lakelab local up --stack demo-alice-azure` recreates them, empty",
    ]
    assert AzureNames.of(blueprint(fresh, "demo-alice-azure")).storage_account == record.identity

    assert twin.up(STACKS).missing == {}
    assert twin.up().missing == {}
