"""Fixtures for the `lakelab verify` tests (see `verify_harness`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from verify_harness import ROOT, Fake, install_fake_pulumi


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A scratch project home holding a copy of stacks/ and a state folder of its own."""
    target = tmp_path / "home"
    shutil.copytree(ROOT / "stacks", target / "stacks")
    monkeypatch.setenv("LAKELAB_HOME", str(target))
    monkeypatch.setenv("LAKELAB_STATE_DIR", str(tmp_path / "state"))
    yield target


@pytest.fixture()
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fake:
    install_fake_pulumi(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PULUMI_STATE", str(tmp_path / "fake-pulumi"))
    monkeypatch.setenv("FAKE_PULUMI_OUTPUTS", str(tmp_path / "outputs.json"))
    monkeypatch.setenv("FAKE_PULUMI_DELAY", "0.01")
    return Fake(tmp_path / "fake-pulumi", tmp_path / "outputs.json")


@pytest.fixture()
def moto(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A clean moto, with boto3 (in tests and in lakelab) pointed at it."""
    import urllib.request

    request = urllib.request.Request(f"{moto_url}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass
    for key, value in {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    return moto_url
