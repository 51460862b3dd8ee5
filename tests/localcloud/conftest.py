"""Fixtures for the local twin tests (see `twin_harness`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from twin_harness import TwinEnv, make_env, purge

from localcloud import twin


@pytest.fixture(scope="session")
def demo_twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwinEnv]:
    """The demo cohort (alice and bob, on AWS and Azure), provisioned once per session.
    Tests may write into learners' own storage but must not remove anything."""
    env = make_env(tmp_path_factory.mktemp("demo-twin"))
    try:
        with env.active():
            twin.up(cohort="demo")
        yield env
    finally:
        purge(env)


@pytest.fixture
def demo(demo_twin: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> TwinEnv:
    for key, value in demo_twin.variables().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("LAKELAB_AWS_ENDPOINT", raising=False)
    return demo_twin


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TwinEnv]:
    """An empty twin of its own (nothing started), purged afterwards."""
    env = make_env(tmp_path)
    for key, value in env.variables().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("LAKELAB_AWS_ENDPOINT", raising=False)
    try:
        yield env
    finally:
        purge(env)
