"""Fixtures for the tests of the PySpark medallion package (workloads/spark)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The helpers sit next to this file; make them importable under any pytest import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for every test that needs one (start-up costs seconds)."""
    from lakelab_jobs.session import local_session

    session = local_session(cores=2, app_name="lakelab-tests")
    yield session
    session.stop()
