"""Content checksums (`lakelab_jobs.checksum`) without Spark: equal rows give equal
checksums whatever their order or file layout; one changed value, a missing or a doubled row
changes it. The Spark side (the job's checksum in the gold manifest, across processes) is
tested in test_spark_checksum.py."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lakelab_jobs.checksum import Checksum, parquet_checksum, row_checksum
from lakelab_jobs.contract import DAILY_SALES_SCHEMA

KINDS = [kind for _, kind in DAILY_SALES_SCHEMA]
ROWS = [
    (date(2024, 5, 1), "P1", "north", 2, 4, Decimal("40.00")),
    (date(2024, 5, 1), "P2", "north", 1, 3, Decimal("16.50")),
    (date(2024, 5, 2), "P1", "west", 1, 4, Decimal("10.00")),
]


def test_checksum_of_known_rows_is_exact() -> None:
    # Computed once by hand from the canonical text (sha256 of
    # "v2024-05-01\x1fvP1\x1fvnorth\x1fv2\x1fv4\x1fv40.00", ...), first 15 hex digits summed.
    assert str(row_checksum(ROWS, KINDS)) == "sha256-60:3:1392965e96d23018"
    assert str(row_checksum([], KINDS)) == "sha256-60:0:0"


def test_row_order_does_not_matter_but_every_value_does() -> None:
    base = row_checksum(ROWS, KINDS)
    assert row_checksum(list(reversed(ROWS)), KINDS) == base
    planted = [ROWS[0], (*ROWS[1][:5], Decimal("16.51")), ROWS[2]]
    assert row_checksum(planted, KINDS) != base
    assert row_checksum(ROWS[:2], KINDS) != base
    assert row_checksum([*ROWS, ROWS[0]], KINDS) != base
    with_null = [ROWS[0], (*ROWS[1][:5], None), ROWS[2]]
    assert row_checksum(with_null, KINDS) != base


def test_text_form_round_trips_and_names_its_kind() -> None:
    value = row_checksum(ROWS, KINDS)
    assert Checksum.parse(str(value)) == value
    with pytest.raises(ValueError, match="not a sha256-60 checksum"):
        Checksum.parse("md5:3:1")


def _table(rows: list[tuple[object, ...]]) -> pa.Table:
    names = [name for name, _ in DAILY_SALES_SCHEMA]
    types = [pa.date32(), pa.string(), pa.string(), pa.int64(), pa.int64(), pa.decimal128(18, 2)]
    columns = [pa.array([r[i] for r in rows], t) for i, t in enumerate(types)]
    return pa.table(columns, names=names)


def test_parquet_files_give_the_rows_checksum_whatever_the_layout(tmp_path: Path) -> None:
    one, split = tmp_path / "one", tmp_path / "split"
    one.mkdir()
    split.mkdir()
    pq.write_table(_table(ROWS), one / "part-0.parquet", compression="snappy")
    # Other file names, another row order, another codec and dictionary setting.
    pq.write_table(_table(ROWS[2:]), split / "b.parquet", compression="zstd")
    pq.write_table(_table(ROWS[1::-1]), split / "a.parquet", use_dictionary=False)
    expected = row_checksum(ROWS, KINDS)
    assert parquet_checksum(one, DAILY_SALES_SCHEMA) == expected
    assert parquet_checksum(split, DAILY_SALES_SCHEMA) == expected


def test_timestamps_count_as_instants_whatever_the_unit(tmp_path: Path) -> None:
    moment = datetime(2024, 5, 1, 9, 30, 0, 123456, tzinfo=UTC)
    schema = [("id", "string"), ("at", "timestamp")]
    for name, kind in (("utc_us", pa.timestamp("us", tz="UTC")), ("naive_ns", pa.timestamp("ns"))):
        value = moment if kind.tz else moment.replace(tzinfo=None)
        table = pa.table([pa.array(["a"]), pa.array([value], kind)], names=["id", "at"])
        pq.write_table(table, tmp_path / f"{name}.parquet")
        found = parquet_checksum(tmp_path / f"{name}.parquet", schema)
        assert found == row_checksum([("a", 1714555800123456)], ["string", "timestamp"]), name
