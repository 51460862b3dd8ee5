"""incremental-vs-full: the generated source, the results document, and a naive watermark
that the checks must catch (the lab's logic runs on an in-memory lake here; the acceptance
tests run it on both twins)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pytest
from lab_harness import memory_context

from labs.incremental_vs_full import LAB
from labs.incremental_vs_full import table as t
from labs.incremental_vs_full.generator import generate, parquet_bytes, scale
from labs.incremental_vs_full.solution import source_days

SEED = 20261122


def test_generator_is_deterministic_and_has_the_traps() -> None:
    src = generate(SEED, 0.005)
    again = generate(SEED, 0.005)
    assert [parquet_bytes(s[2]) for s in src.snapshots] == [
        parquet_bytes(s[2]) for s in again.snapshots
    ]
    assert [parquet_bytes(f.table) for f in src.feeds] == [
        parquet_bytes(f.table) for f in again.feeds
    ]
    assert src.customers == 5000 and src.changes_per_day == 50
    for n, feed in enumerate(src.feeds, start=1):
        ops = feed.table["op"].to_pylist()
        lsns = feed.table["lsn"].to_pylist()
        assert set(ops) == {"I", "U", "D"}
        assert len(lsns) > len(set(lsns))  # delivered more than once
        previous_as_of = src.snapshots[n - 1][1]
        fresh = {(lsn, op) for lsn, op in zip(lsns, ops, strict=True) if lsn > previous_as_of}
        assert sum(op == "U" for _, op in fresh) == src.changes_per_day
        inserts = sum(op == "I" for _, op in fresh)
        deletes = sum(op == "D" for _, op in fresh)
        assert src.snapshots[n][2].num_rows == src.snapshots[n - 1][2].num_rows + inserts - deletes
        late = pc.less(
            pc.cast(feed.table["updated_at"], "date32"),
            pc.cast(feed.table["committed_at"], "date32"),
        )
        assert pc.sum(late).as_py() >= feed.late > 0
    raw_status = set(src.snapshots[0][2]["status"].to_pylist())
    assert {"active", "Active", "ACTIVE"} <= raw_status  # the CRM's mess


def test_scale_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKELAB_LAB_SCALE", "abc")
    with pytest.raises(ValueError, match="must be a number"):
        scale()
    monkeypatch.setenv("LAKELAB_LAB_SCALE", "0")
    with pytest.raises(ValueError, match="in \\(0, 10\\]"):
        scale()
    monkeypatch.delenv("LAKELAB_LAB_SCALE")
    assert scale() == 1.0


@pytest.fixture
def solved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LAKELAB_LAB_SCALE", "0.01")
    ctx = memory_context(tmp_path, "incremental-vs-full")
    assert not any(c.passed for c in LAB.check(ctx))
    LAB.start(ctx)
    LAB.run(ctx)
    return ctx


def test_results_document(solved) -> None:  # type: ignore[no-untyped-def]
    res = json.loads(solved.lake.get("gold", t.RESULTS_KEY))
    days = [d.isoformat() for d in source_days(solved.lake)]
    assert res["days"] == days[1:] and res["initial_day"] == days[0]
    assert res["same_result"] is True and all(res["same_by_day"].values())
    assert res["customers"] == 10_000 and res["status_changes_per_day"] == 50
    con = duckdb.connect()
    previous = json.loads(
        solved.lake.get("landing", t.snapshot_meta_key(source_days(solved.lake)[0]))
    )
    watermark = previous["as_of_lsn"]
    for day, incr, full in zip(
        days[1:], res["incremental"]["days"], res["full"]["days"], strict=True
    ):
        path = solved.work_dir / "feed.parquet"
        path.write_bytes(solved.lake.get("landing", t.changes_key(date.fromisoformat(day))))
        fresh, top = con.execute(
            f"SELECT count(*), max(lsn) FROM (SELECT DISTINCT * FROM read_parquet('{path}')"
            f" WHERE lsn > {watermark})"
        ).fetchone()
        assert incr["source_rows_read"] == fresh  # only what is new, once
        assert full["source_rows_read"] == full["rows_written"]
        assert incr["modelled_source_seconds"] < full["modelled_source_seconds"]
        watermark = top
    assert res["incremental"]["watermark"]["last_lsn"] == watermark


def test_a_watermark_on_updated_at_misses_late_changes(solved) -> None:  # type: ignore[no-untyped-def]
    """The classic mistake: the watermark is the newest updated_at seen. Late changes carry an
    older updated_at than the watermark and are skipped; the checks must say so."""
    lake, work = solved.lake, solved.work_dir
    days = source_days(lake)
    con = duckdb.connect()
    (work / "day0.parquet").write_bytes(lake.get("landing", t.snapshot_key(days[0])))
    con.execute(
        f"CREATE TABLE cur AS SELECT {t.NORMALISE} FROM read_parquet('{work}/day0.parquet')"
    )
    for n, day in enumerate(days[1:]):
        mark = con.execute("SELECT max(updated_at) FROM cur").fetchone()[0]
        path = work / f"feed{n}.parquet"
        path.write_bytes(lake.get("landing", t.changes_key(day)))
        con.execute(
            f"CREATE OR REPLACE TABLE latest AS SELECT * FROM (SELECT DISTINCT * FROM"
            f" read_parquet('{path}')"
            f" WHERE coalesce(updated_at, committed_at) > TIMESTAMP '{mark}')"
            " QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY lsn DESC) = 1"
        )
        con.execute("DELETE FROM cur WHERE customer_id IN (SELECT customer_id FROM latest)")
        con.execute(f"INSERT INTO cur SELECT {t.NORMALISE} FROM latest WHERE op <> 'D'")
    con.execute(f"COPY cur TO '{work}/naive.parquet' (FORMAT parquet)")
    lake.put("silver", t.INCR_KEY, (work / "naive.parquet").read_bytes())
    results = {c.id: c for c in LAB.check(solved)}
    assert results["full-table"].passed
    assert not results["incremental-table"].passed
    late = results["late-changes"]
    assert not late.passed and late.found < late.expected
