"""Recorded lab results: best and latest gradings, kept atomically under a lock."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lab_harness import MemoryLake

from lakelab.errors import UserError
from lakelab.labs import results

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def doc(passed: int, total: int = 4) -> dict[str, object]:
    criteria = [{"id": f"c{i}", "passed": i < passed} for i in range(total)]
    return {"lab": "medallion", "stack": "demo-alice-aws", "passed": passed, "total": total,
            "criteria": criteria}  # fmt: skip


def graded(passed: int, minutes: int, fingerprint: str = "f" * 64) -> results.Grading:
    return results.grading(doc(passed), "alice", fingerprint, T0 + timedelta(minutes=minutes))


def test_best_is_the_most_passed_and_latest_the_last(tmp_path: Path) -> None:
    results.record(tmp_path, graded(2, 0))
    results.record(tmp_path, graded(4, 1))
    after = results.record(tmp_path, graded(1, 2))
    assert (after.best.passed, after.best.at) == (4, T0 + timedelta(minutes=1))
    assert (after.latest.passed, after.latest.at) == (1, T0 + timedelta(minutes=2))
    assert after.best.passed_criteria == ("c0", "c1", "c2", "c3")
    assert after.latest.failed_criteria == ("c1", "c2", "c3")
    assert results.read(tmp_path) == after


def test_an_equal_grading_keeps_the_earlier_best(tmp_path: Path) -> None:
    results.record(tmp_path, graded(3, 0, "a" * 64))
    after = results.record(tmp_path, graded(3, 5, "b" * 64))
    assert after.best.fingerprint == "a" * 64 and after.latest.fingerprint == "b" * 64


def test_the_fingerprint_follows_the_lake() -> None:
    lake = MemoryLake()
    lake.put("gold", "daily_sales/part-0.parquet", b"one")
    first = results.fingerprint(lake)
    assert results.fingerprint(lake) == first and len(first) == 64
    lake.put("gold", "daily_sales/part-0.parquet", b"two")
    assert results.fingerprint(lake) != first


def test_a_broken_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / results.FILE).write_text("{not json")
    with pytest.raises(UserError, match=r"results.json is not a lab results file .*; delete it$"):
        results.read(tmp_path)


def _record_many(folder: str, offset: int) -> None:
    for i in range(25):
        results.record(Path(folder), graded((i + offset) % 5, offset * 100 + i))


def test_gradings_at_once_lose_nothing(tmp_path: Path) -> None:
    """Two processes recording at once: the file is always whole, the best is the best."""
    workers = [
        multiprocessing.get_context("spawn").Process(target=_record_many, args=(str(tmp_path), n))
        for n in (0, 1)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    final = results.read(tmp_path)
    assert final is not None and final.best.passed == 4
    assert final.latest.at in {T0 + timedelta(minutes=24), T0 + timedelta(minutes=124)}
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
