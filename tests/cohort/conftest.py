"""Fixtures for the cohort, cost and compare tests.

Nothing in these tests can reach a cloud or a Pulumi backend: the Pulumi CLI and the Azure CLI
are stand-in scripts put first on PATH (tests/cohort/fake_pulumi.py, fake_az.py) that record
their calls and fake their answers, and AWS is a moto server on a free local port.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cohort_harness import HERE, ROOT, FakeCli, Moto, wrapper


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A scratch project home holding a copy of stacks/ (the demo cohort)."""
    target = tmp_path / "home"
    shutil.copytree(ROOT / "stacks", target / "stacks")
    monkeypatch.setenv("LAKELAB_HOME", str(target))
    monkeypatch.setenv("LAKELAB_STATE_DIR", str(tmp_path / "twin-state"))
    yield target


@pytest.fixture()
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeCli:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper(bin_dir, "pulumi", HERE / "fake_pulumi.py")
    wrapper(bin_dir, "az", HERE / "fake_az.py")
    cli = FakeCli(bin_dir, tmp_path / "fake-pulumi", tmp_path / "fake-az.json")
    cli.set_azure([], [])
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PULUMI_STATE", str(cli.state))
    monkeypatch.setenv("FAKE_AZ_STATE", str(cli.az_state))
    monkeypatch.setenv("FAKE_PULUMI_DELAY", "0.05")
    return cli


@pytest.fixture(scope="session")
def moto_server(moto_url: str) -> Moto:
    """The session's real moto server (AWS stand-in), as the cohort tests drive it."""
    return Moto(moto_url)


@pytest.fixture()
def moto(moto_server: Moto, monkeypatch: pytest.MonkeyPatch) -> Moto:
    """A clean moto, and AWS settings that point boto3 (in tests and in lakelab) at it."""
    moto_server.reset()
    for key, value in moto_server.env().items():
        monkeypatch.setenv(key, value)
    return moto_server
