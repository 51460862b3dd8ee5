"""The labs registry lists every lab package, in course order, and each loads as its id."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakelab.errors import UserError
from lakelab.labs.registry import LABS, PLANNED, lab_ids, load_lab

LABS_DIR = Path(__file__).resolve().parents[2] / "labs"


def test_every_lab_package_is_registered_and_nothing_else() -> None:
    packages = {p.name for p in LABS_DIR.iterdir() if (p / "__init__.py").is_file()}
    assert {module.removeprefix("labs.") for module in LABS.values()} == packages


@pytest.mark.parametrize("lab_id", lab_ids())
def test_each_lab_loads_as_its_id(lab_id: str) -> None:
    assert load_lab(lab_id).info.id == lab_id


def test_course_order() -> None:
    assert lab_ids() == [
        "ingest-and-land",
        "medallion",
        "raw-to-curated",
        "incremental-vs-full",
        "multi-source-integration",
        "orchestrated-pipelines",
        "failure-drills",
    ]
    assert PLANNED == ()  # every lab the course plans name is written


def test_an_unknown_lab_is_one_clear_error() -> None:
    with pytest.raises(UserError, match=r"^unknown lab 'nope'; labs: ingest-and-land, medallion"):
        load_lab("nope")
