"""`--json` on the cohort commands: one JSON document on stdout and nothing else, with the
shape their `--help` lists. Nothing reaches a cloud: `pulumi` and `az` are the stand-in
scripts of conftest.py, AWS is a moto server."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from cohort_harness import DEMO_STACKS, FakeCli, Moto, run

from lakelab.cohort import records


def document(*args: str, code: int = 0, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run(*args, "--json", env=env)
    assert result.returncode == code, result.stdout + result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)  # the whole of stdout is the document
    return doc


def outcomes(doc: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Outcomes without their durations (the only values that vary between runs)."""
    assert all(isinstance(o.pop("seconds"), float) for o in doc)
    return [tuple(o.values()) for o in doc]


def test_up_as_json(home: Path, fake: FakeCli) -> None:
    logs = home / ".lakelab" / "cohorts" / "demo" / "logs"
    doc = document(
        "cohort", "up", "--cohort", "demo", code=1, env={"FAKE_PULUMI_FAIL_UP": "demo-bob-aws"}
    )
    stacks = doc.pop("stacks")
    (warning,) = doc.pop("warnings")  # no AWS credentials here: the tag check cannot tell
    assert warning.startswith("could not check the AWS cost-allocation tags")
    assert doc == {
        "cohort": "demo",
        "target": "cloud",
        "expired": [],
        "counts": {"succeeded": 3, "failed": 1, "skipped": 0},
        "ok": False,
    }
    assert outcomes(stacks) == [
        ("demo-alice-aws", "up", "succeeded", 12, "", str(logs / "demo-alice-aws.log")),
        ("demo-alice-azure", "up", "succeeded", 12, "", str(logs / "demo-alice-azure.log")),
        (
            "demo-bob-aws",
            "up",
            "failed",
            None,
            "error: update failed",
            str(logs / "demo-bob-aws.log"),
        ),
        ("demo-bob-azure", "up", "succeeded", 12, "", str(logs / "demo-bob-azure.log")),
    ]
    again = document("cohort", "up", "--cohort", "demo")
    assert [(o["stack"], o["result"]) for o in again["stacks"]] == [
        ("demo-alice-aws", "skipped"),
        ("demo-alice-azure", "skipped"),
        ("demo-bob-aws", "succeeded"),
        ("demo-bob-azure", "skipped"),
    ]
    assert (again["counts"], again["ok"]) == ({"succeeded": 1, "failed": 0, "skipped": 3}, True)


def test_status_as_json(home: Path, fake: FakeCli) -> None:
    assert run("cohort", "up", "--cohort", "demo", "--cloud", "azure").returncode == 0
    log = home / ".lakelab" / "cohorts" / "demo" / "runs.jsonl"
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    went_up = records.now() - timedelta(days=28)  # alice's Azure lab went up four weeks ago
    for line in lines:
        if line["stack"] == "demo-alice-azure":
            line["at"] = went_up.isoformat()
    log.write_text("".join(json.dumps(x) + "\n" for x in lines))

    doc = document("cohort", "status", "--cohort", "demo")
    rows = doc.pop("stacks")
    assert isinstance(doc.pop("generated"), str)
    # 28 days of the demo Azure lab: always-on storage plus 4 weeks x 6 lab hours
    # (0.095 x 28 / 30.4167) + 0.9583367 x 24 = 0.0875 + 23.0001 = 23.09 (as `test_cohort_up`).
    assert round(doc.pop("total_cost"), 2) == 23.09
    assert doc == {
        "cohort": "demo",
        "target": "cloud",
        "notes": [
            "cost to date: an estimate from the pricing catalog (6 lab hours per learner per"
            " week), not billing data; `lakelab cost --cohort` explains the figures"
        ],
        "html": str(home / ".lakelab" / "cohorts" / "demo" / "status.html"),
    }
    assert [r["stack"] for r in rows] == list(DEMO_STACKS)
    alice_azure = rows[1]
    assert round(alice_azure.pop("cost_to_date"), 2) == 23.09
    assert isinstance(alice_azure.pop("last_update"), str)
    assert alice_azure == {
        "stack": "demo-alice-azure",
        "learner": "alice",
        "email": "alice@example.com",
        "cloud": "azure",
        "state": "up to date",
        "resources": 12,
        "expires": "2030-06-30",
        "expired": False,
    }
    assert rows[2] == {
        "stack": "demo-bob-aws",
        "learner": "bob",
        "email": "bob@example.com",
        "cloud": "aws",
        "state": "not deployed",
        "resources": None,
        "last_update": None,
        "expires": "2030-06-30",
        "expired": False,
        "cost_to_date": None,
    }


def test_down_as_json(home: Path, fake: FakeCli, moto: Moto) -> None:
    assert run("cohort", "up", "--cohort", "demo", "--cloud", "aws").returncode == 0
    logs = home / ".lakelab" / "cohorts" / "demo" / "logs"
    doc = document("cohort", "down", "--cohort", "demo", "--stack", "demo-alice-aws", "--yes")
    destroyed, removed, sweeps = doc.pop("destroyed"), doc.pop("removed"), doc.pop("sweeps")
    assert doc == {
        "cohort": "demo",
        "target": "cloud",
        "leftovers": [],
        "unverified": [],
        "kept": [],
        "clean": True,
    }
    log = str(logs / "demo-alice-aws.log")
    assert outcomes(destroyed) == [("demo-alice-aws", "destroy", "succeeded", 0, "", log)]
    assert outcomes(removed) == [("demo-alice-aws", "remove", "succeeded", 0, "", log)]
    assert sweeps == [
        {
            "cloud": "aws",
            "deleted": [],
            "failed": [],
            "notes": [f"Redshift Serverless in us-east-1: not offered by {moto.url}; skipped"],
        }
    ]
