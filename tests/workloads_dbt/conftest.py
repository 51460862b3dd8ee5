"""Fixtures for the tests of the dbt project (workloads/dbt)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The helpers sit next to this file; make them importable under any pytest import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dbt_harness import DbtEnv, find_dbt


@pytest.fixture(scope="module")
def dbt_env(tmp_path_factory: pytest.TempPathFactory) -> DbtEnv:
    dbt = find_dbt()
    if dbt is None:
        # `make test` installs .venv-dbt; a missing dbt is a broken setup, not a reason to skip.
        pytest.fail("dbt is not installed (expected .venv-dbt/bin/dbt, $LAKELAB_DBT or PATH)")
    return DbtEnv(tmp=tmp_path_factory.mktemp("dbt"), dbt=dbt)
