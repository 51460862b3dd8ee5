"""Fixtures for the lab tests, reusable by every lab.

`lab_twin` is one real local twin for the whole session (moto and Azurite on free ports, in a
temporary state folder, with a scratch copy of the demo stacks): the demo cohort, alice and bob
on AWS and Azure, provisioned once. `lab_env` points lakelab at it for one test and sets a
small `LAKELAB_LAB_SCALE`. Tests share the twin, so each lab test resets the labs it touches
(`lakelab lab reset`) before it starts and when it is done.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# The helpers sit next to this file and in tests/localcloud (the twin harness).
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "localcloud"))

from twin_harness import TwinEnv, make_env, purge  # noqa: E402

from localcloud import twin  # noqa: E402

# Small enough for a test, large enough that every kind of change shows up in the data.
TEST_SCALE = "0.02"


@pytest.fixture(scope="session")
def lab_twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwinEnv]:
    """The demo cohort on a twin of its own, for the whole session; purged at the end."""
    env = make_env(tmp_path_factory.mktemp("lab-twin"))
    try:
        with env.active():
            twin.up(cohort="demo", spark=False)
        yield env
    finally:
        purge(env)


@pytest.fixture
def lab_env(lab_twin: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> TwinEnv:
    """lakelab pointed at the shared twin for one test (environment restored afterwards)."""
    for key, value in lab_twin.variables().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("LAKELAB_AWS_ENDPOINT", raising=False)
    monkeypatch.setenv("LAKELAB_LAB_SCALE", TEST_SCALE)
    monkeypatch.setenv("COLUMNS", "200")  # rich tables: no wrapping of lab ids
    return lab_twin
