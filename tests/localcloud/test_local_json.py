"""`lakelab local status --json` and `lakelab local show --json`: one JSON document on stdout,
read from the real emulators of the demo twin."""

from __future__ import annotations

import json
from typing import Any

from twin_harness import TwinEnv, run_cli, running_pids

ALICE_BUCKETS = [
    f"ll-demo-alice-{purpose}-f9ebc2"
    for purpose in (
        "landing",
        "bronze",
        "silver",
        "gold",
        "quarantine",
        "query-results",
        "artifacts",
    )
]
TAGS = {
    "cohort": "demo",
    "course": "end-to-end-pipelines",
    "expires": "2030-06-30",
    "learner": "alice",
    "managed-by": "lakelab",
}


def document(*args: str) -> Any:
    done = run_cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # the whole of stdout is the document


def test_status_as_json(demo: TwinEnv) -> None:
    doc = document("status")
    aws_pid, azure_pid = running_pids(demo)
    assert doc["state_dir"] == str(demo.state)
    assert doc["emulators"] == [
        {
            "name": "aws",
            "label": "AWS emulator (moto)",
            "state": "running",
            "endpoint": f"http://127.0.0.1:{demo.aws_port}",
            "pid": aws_pid,
            "log": str(demo.state / "aws" / "moto.log"),
        },
        {
            "name": "azure",
            "label": "Azure emulator (Azurite)",
            "state": "running",
            "endpoint": f"http://127.0.0.1:{demo.azure_port}",
            "pid": azure_pid,
            "log": str(demo.state / "azure" / "azurite.log"),
        },
    ]
    stacks = doc["stacks"]
    assert [(s["stack"], s["cloud"], s["region"], s["identity"]) for s in stacks] == [
        ("demo-alice-aws", "aws", "us-east-1", "ll-demo-alice"),
        ("demo-alice-azure", "azure", "westeurope", "lldemoalicef9ebc21a"),
        ("demo-bob-aws", "aws", "us-east-1", "ll-demo-bob"),
        ("demo-bob-azure", "azure", "westeurope", "lldemobob0f09012d"),
    ]
    assert stacks[0] == {
        "stack": "demo-alice-aws",
        "cloud": "aws",
        "region": "us-east-1",
        "cohort": "demo",
        "learner": "alice",
        "identity": "ll-demo-alice",
        "resources": {
            "buckets": ALICE_BUCKETS,
            "databases": [
                "demo_alice_bronze",
                "demo_alice_silver",
                "demo_alice_gold",
                "demo_alice_dbt",
            ],
            "workgroups": ["demo_alice_wg"],
            "users": ["ll-demo-alice"],
        },
    }
    # The learners' keys stay with `lakelab local env`.
    secrets = [demo.record(s["stack"]).secret for s in stacks]
    assert not any(secret in json.dumps(doc) for secret in secrets)


def test_show_as_json(demo: TwinEnv) -> None:
    doc = document("show", "--stack", "demo-alice-aws", "--stack", "demo-bob-azure")
    alice, bob = doc["stacks"]
    layers = ("landing", "bronze", "silver", "gold", "quarantine")
    catalogs = ["demo_alice_bronze", "demo_alice_dbt", "demo_alice_gold", "demo_alice_silver"]
    assert alice == {
        "stack": "demo-alice-aws",
        "cloud": "aws",
        "layers": {layer: f"ll-demo-alice-{layer}-f9ebc2" for layer in layers},
        "catalogs": catalogs,
        "workgroup": "demo_alice_wg",
        "identity": {
            "name": "ll-demo-alice",
            "storage": sorted(ALICE_BUCKETS),
            "catalogs": catalogs,
        },
        "tags": TAGS,
    }
    assert (bob["stack"], bob["cloud"], bob["layers"], bob["workgroup"]) == (
        "demo-bob-azure",
        "azure",
        {layer: layer for layer in layers},
        "ll-demo-bob-syn-0f0901-ondemand",
    )
    assert bob["identity"]["name"] == "lldemobob0f09012d"
