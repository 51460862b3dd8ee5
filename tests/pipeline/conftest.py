"""Fixtures for the orchestration tests: one real local twin (moto and Azurite on free ports,
in a temporary state folder) for the whole session, with alice and bob of the demo cohort on
both clouds. Tests that change a lake reset the layers they touch."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "localcloud"))
sys.path.insert(0, str(HERE.parent / "labs"))

from twin_harness import TwinEnv, make_env, purge  # noqa: E402

from localcloud import twin  # noqa: E402

STACKS = ("demo-alice-aws", "demo-alice-azure", "demo-bob-aws")


@pytest.fixture(scope="session")
def pipe_twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwinEnv]:
    env = make_env(tmp_path_factory.mktemp("pipe-twin"), STACKS)
    try:
        with env.active():
            twin.up(stacks=list(STACKS), spark=False)
        yield env
    finally:
        purge(env)


@pytest.fixture
def pipe_env(pipe_twin: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> TwinEnv:
    """lakelab pointed at the shared twin for one test."""
    for key, value in pipe_twin.variables().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("LAKELAB_AWS_ENDPOINT", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return pipe_twin
