"""Teardown: `lakelab local rm` and `lakelab local down --purge` leave nothing of a learner,
neither in the emulators (listed afterwards) nor in the state folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError
from botocore.exceptions import ClientError
from twin_harness import TwinEnv, blueprint

from lakelab.clouds.aws.access import learner_buckets
from lakelab.clouds.aws.names import AwsNames
from lakelab.clouds.azure.names import AzureNames
from localcloud import twin
from localcloud.aws import athena, glue, iam, s3
from localcloud.azure import blob
from localcloud.inventory import twin_inventory
from localcloud.state import load

PAYLOAD = b"ALICE-ONLY-PAYLOAD-7f3a"


def _everything(env: TwinEnv) -> dict[str, list[str]]:
    """Every resource name the emulators hold, listed by the administrator."""
    admin = env.admin()
    glue_client = admin.client("glue")
    state = load(env.paths)
    accounts: dict[str, list[str]] = {}
    for account, key in state.azure.accounts.items():
        svc = blob.service(f"http://127.0.0.1:{env.azure_port}", account, key)
        accounts[account] = sorted(blob.containers(svc))
    return {
        "buckets": s3.list_buckets(admin.client("s3")),
        "databases": glue.list_databases(glue_client),
        "workgroups": athena.list_workgroups(admin.client("athena")),
        "users": iam.list_users(admin.client("iam")),
        "accounts": sorted(f"{a}:{','.join(c)}" for a, c in accounts.items()),
    }


def _land_alice(env: TwinEnv) -> None:
    aws = env.learner("demo-alice-aws")
    bucket = AwsNames.of(blueprint(env, "demo-alice-aws")).bucket("landing")
    big = PAYLOAD * (3000 // len(PAYLOAD) + 1)  # stored apart from the journal line
    aws.client("s3").put_object(Bucket=bucket, Key="orders/a.csv", Body=PAYLOAD)
    aws.client("s3").put_object(Bucket=bucket, Key="orders/b.csv", Body=big)
    aws.client("glue").create_table(
        DatabaseName="demo_alice_bronze", TableInput={"Name": "orders_alice_only"}
    )
    record = env.record("demo-alice-azure")
    svc = blob.service(f"http://127.0.0.1:{env.azure_port}", record.identity, record.secret)
    svc.get_blob_client("landing", "orders/a.csv").upload_blob(PAYLOAD)


def _files_mentioning(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.relative_to(root)}: {n.decode()}" for n in needles if n in data]
    return sorted(found)


def _alice_names(env: TwinEnv) -> list[bytes]:
    aws = AwsNames.of(blueprint(env, "demo-alice-aws"))
    return [
        PAYLOAD,
        aws.slug.encode(),  # buckets and the IAM user
        aws.snake.encode(),  # catalog databases and the workgroup
        AzureNames.of(blueprint(env, "demo-alice-azure")).storage_account.encode(),
        b"demo-alice-",  # stack names
    ]


@pytest.fixture
def cohort(fresh: TwinEnv) -> TwinEnv:
    twin.up(cohort="demo")
    _land_alice(fresh)
    return fresh


def test_rm_leaves_nothing_of_the_learner(cohort: TwinEnv) -> None:
    bob_before = {s: twin_inventory(s) for s in ("demo-bob-aws", "demo-bob-azure")}
    alice = cohort.record("demo-alice-aws")
    alice_azure = cohort.record("demo-alice-azure")
    held = {f.split("/")[0] for f in _files_mentioning(cohort.paths.root, [PAYLOAD])}
    assert held == {"aws", "azure"}  # the check below can see data where it would be
    assert twin.rm(["demo-alice-aws", "demo-alice-azure"]) == ["demo-alice-aws", "demo-alice-azure"]

    bob = blueprint(cohort, "demo-bob-aws")
    bob_account = AzureNames.of(blueprint(cohort, "demo-bob-azure")).storage_account
    expected = {
        "buckets": sorted(learner_buckets(bob)),
        "databases": ["demo_bob_bronze", "demo_bob_dbt", "demo_bob_gold", "demo_bob_silver"],
        "workgroups": ["demo_bob_wg", "primary"],
        "users": ["lakelab-admin", "ll-demo-bob"],
        "accounts": [f"{bob_account}:artifacts,bronze,gold,landing,quarantine,silver"],
    }
    assert _everything(cohort) == expected

    # Alice's credentials are dead on both clouds.
    with pytest.raises(ClientError) as refused:
        cohort.learner_target(alice).client("s3").list_objects_v2(Bucket="x")
    assert refused.value.response["Error"]["Code"] == "InvalidAccessKeyId"
    svc = blob.service(
        f"http://127.0.0.1:{cohort.azure_port}", alice_azure.identity, alice_azure.secret, retries=0
    )
    with pytest.raises(HttpResponseError):
        list(svc.list_containers())
    # Tags do not linger on deleted catalog databases either.
    admin_glue = cohort.admin().client("glue")
    arn = glue.database_arn("us-east-1", "123456789012", "demo_alice_bronze")
    assert glue.database_tags(admin_glue, arn) == {}

    # The state folder keeps nothing of alice: not the journal, not Azurite's files.
    assert not cohort.paths.profile("demo-alice-aws").exists()
    assert not (cohort.paths.synapse_dir / alice_azure.identity).exists()
    assert _files_mentioning(cohort.paths.root, _alice_names(cohort)) == []

    # Bob is untouched, and stays so across a restart; alice does not come back.
    assert {s: twin_inventory(s) for s in bob_before} == bob_before
    twin.down()
    twin.up()
    assert _everything(cohort) == expected
    assert _files_mentioning(cohort.paths.root, _alice_names(cohort)) == []

    # Removing again is a no-op.
    assert twin.rm(["demo-alice-aws", "demo-alice-azure"]) == []


def test_purge_leaves_nothing(cohort: TwinEnv) -> None:
    assert sorted(twin.down(purge=True)) == ["AWS emulator (moto)", "Azure emulator (Azurite)"]
    assert sorted(p.name for p in cohort.paths.root.iterdir()) == [".lock"]
    assert twin.down(purge=True) == []
    twin.up()
    assert _everything(cohort) == {
        "buckets": [],
        "databases": [],
        "workgroups": ["primary"],
        "users": ["lakelab-admin"],
        "accounts": [],
    }
    assert twin.status().stacks == []


def test_rm_removes_the_learners_copies_in_the_state_folder(cohort: TwinEnv) -> None:
    """A run mirrors the learner's lake under runs/<stack>, labs keep work under
    labs/<stack>, runs write results; `local rm` takes all of it, and only the learner's."""
    from lakelab.labs.registry import work_dir
    from lakelab.lake import lake_for
    from lakelab.settings import Settings
    from lakelab.twinrun import mirror_root, pull, results_dir

    settings = Settings.current()
    for stack in ("demo-alice-aws", "demo-bob-aws"):
        mirror_root(stack).mkdir(parents=True)  # as a run makes it
        assert pull(lake_for(stack), mirror_root(stack)) == (2 if "alice" in stack else 0)
        (work_dir(stack, "medallion") / "check.json").write_text("{}")
        results_dir(stack).mkdir(parents=True)
        (results_dir(stack) / "run-1.gold.json").write_text("{}")
    cloud_receipt = settings.results_dir / "demo-bob-aws" / "cloud"
    cloud_receipt.mkdir()
    assert (mirror_root("demo-alice-aws") / "landing" / "orders" / "a.csv").read_bytes() == PAYLOAD

    assert twin.rm(["demo-alice-aws"]) == ["demo-alice-aws"]
    for folder in settings.learner_dirs("demo-alice-aws"):
        assert not folder.exists(), folder
    assert not (settings.results_dir / "demo-alice-aws").exists()
    copies = ("runs/", "labs/", "results/")
    assert [
        f for f in _files_mentioning(cohort.paths.root, [PAYLOAD]) if f.startswith(copies)
    ] == []
    for folder in settings.learner_dirs("demo-bob-aws"):
        assert folder.is_dir(), folder
    assert cloud_receipt.is_dir()
