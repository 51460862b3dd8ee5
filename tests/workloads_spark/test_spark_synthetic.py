"""The synthetic data generator: deterministic, contract-shaped, with the promised mix."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.csv as pacsv
from lakelab_jobs.contract import CUSTOMERS, ORDERS, PRODUCTS
from lakelab_jobs.synthetic import (
    SyntheticSpec,
    orders_base,
    orders_changes,
    write_base,
    write_changes,
)

SPEC = SyntheticSpec(orders=5_000, seed=3)


def digest(folder: Path) -> str:
    hasher = hashlib.sha256()
    for path in sorted(folder.rglob("*.csv")):
        hasher.update(path.relative_to(folder).as_posix().encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def test_same_spec_same_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        write_base(tmp_path / name, SPEC)
        write_changes(tmp_path / name, SPEC, 300)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    write_base(tmp_path / "c", SyntheticSpec(orders=5_000, seed=4))
    assert digest(tmp_path / "c") != digest(tmp_path / "a")


def test_files_follow_the_landing_contract(tmp_path: Path) -> None:
    counts = write_base(tmp_path, SPEC)
    for entity in (ORDERS, CUSTOMERS, PRODUCTS):
        table = pacsv.read_csv(tmp_path / entity.name / "batch-0001.csv")
        assert tuple(table.column_names) == entity.landing
        assert table.num_rows == counts[entity.name]
    # Every order once, plus the injected duplicates.
    assert counts["orders"] == SPEC.orders + round(SPEC.orders * SPEC.duplicate_rate)


def test_changes_update_existing_orders_after_the_base(tmp_path: Path) -> None:
    base = orders_base(SPEC)
    changes = orders_changes(SPEC, 1_000)
    assert changes.num_rows == 1_000
    ids = changes.column("order_id")
    assert pc.count_distinct(ids).as_py() == 1_000
    known = set(base.column("order_id").to_pylist())
    new = [i for i in ids.to_pylist() if i not in known]
    assert len(new) == 10  # late-arriving new orders


def test_a_million_orders_generate_in_seconds(tmp_path: Path) -> None:
    started = time.perf_counter()
    counts = write_base(tmp_path, SyntheticSpec(orders=1_000_000))
    elapsed = time.perf_counter() - started
    assert counts["orders"] >= 1_000_000
    assert elapsed < 15, f"{elapsed:.1f}s"  # ~2 s on a quiet 2-core machine
