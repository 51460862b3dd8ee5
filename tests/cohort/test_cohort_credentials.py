"""`lakelab cohort credentials`: one private hand-out per learner, no secret printed.

Pulumi is the stand-in CLI of conftest.py; `FAKE_PULUMI_OUTPUTS` gives the deployed stacks the
`identity` outputs the AWS program declares (tests/infra/test_aws_sign_in.py checks that the
program declares them, secret).
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cohort_harness import FakeCli, Moto, run

PASSWORD = "Initial-Pw-9f8e7d6c5b4a"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def identity(learner: str, *, key: bool) -> dict[str, object]:
    found: dict[str, object] = {
        "kind": "iam-user",
        "name": f"ll-demo-{learner}",
        "sign_in_url": "https://123456789012.signin.aws.amazon.com/console",
        "initial_password": f"{PASSWORD}-{learner}",
    }
    if key:
        found |= {"access_key_id": f"AKIA{learner.upper()}0000", "secret_access_key": SECRET_KEY}
    return found


@pytest.fixture
def deployed(home: Path, fake: FakeCli, moto: Moto, monkeypatch: pytest.MonkeyPatch) -> Path:
    assert run("cohort", "up", "--cohort", "demo", "--cloud", "aws").returncode == 0
    outputs = home.parent / "outputs.json"
    outputs.write_text(
        json.dumps(
            {
                "demo-alice-aws": {"identity": identity("alice", key=True)},
                "demo-bob-aws": {"identity": identity("bob", key=False)},
            }
        )
    )
    monkeypatch.setenv("FAKE_PULUMI_OUTPUTS", str(outputs))
    return home


def secrets_in(text: str) -> list[str]:
    return [s for s in (PASSWORD, SECRET_KEY) if s in text]


def test_hand_outs_are_private_files_and_nothing_secret_is_printed(
    deployed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "hand-outs"
    result = run("cohort", "credentials", "--cohort", "demo", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert secrets_in(result.stdout + result.stderr) == []
    text = " ".join(result.stdout.split())
    assert "wrote 2 hand-out(s)" in text
    assert "not deployed: no hand-out" in text  # the Azure stacks
    assert "https://123456789012.signin.aws.amazon.com/console" in text

    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert sorted(p.name for p in out.iterdir()) == ["demo-alice-aws.txt", "demo-bob-aws.txt"]
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    alice = (out / "demo-alice-aws.txt").read_text()
    assert (
        f"Initial password (you choose a new one when you first sign in): {PASSWORD}-alice" in alice
    )
    assert f"Secret access key: {SECRET_KEY}" in alice
    assert "Identity: ll-demo-alice" in alice
    assert alice.startswith("Your lakelab lab: alice (alice@example.com), cohort demo, on aws")
    assert SECRET_KEY not in (out / "demo-bob-aws.txt").read_text()

    logs = deployed / ".lakelab"
    for path in logs.rglob("*"):
        if path.is_file():
            assert secrets_in(path.read_text(errors="replace")) == [], path


def test_json_names_files_and_counts_secrets_only(deployed: Path, tmp_path: Path) -> None:
    out = tmp_path / "hand-outs"
    result = run("cohort", "credentials", "--cohort", "demo", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    assert secrets_in(result.stdout) == []
    rows = {r["stack"]: r for r in json.loads(result.stdout)}
    assert rows["demo-alice-aws"] == {
        "stack": "demo-alice-aws",
        "learner": "alice",
        "email": "alice@example.com",
        "cloud": "aws",
        "sign_in": "https://123456789012.signin.aws.amazon.com/console",
        "secrets": 2,
        "file": str(out / "demo-alice-aws.txt"),
    }
    assert rows["demo-bob-aws"]["secrets"] == 1
    assert rows["demo-alice-azure"]["file"] is None


def test_an_existing_hand_out_is_never_overwritten(deployed: Path, tmp_path: Path) -> None:
    out = tmp_path / "hand-outs"
    out.mkdir()
    (out / "demo-bob-aws.txt").write_text("sent already\n")
    result = run("cohort", "credentials", "--cohort", "demo", "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {out / 'demo-bob-aws.txt'} already exist(s); hand-outs are never overwritten:"
        " move them away or choose another --out (nothing was written)"
    ]
    assert sorted(p.name for p in out.iterdir()) == ["demo-bob-aws.txt"]
    assert (out / "demo-bob-aws.txt").read_text() == "sent already\n"
