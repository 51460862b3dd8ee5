"""Content checksums of tables: equal when the rows are equal, whatever the files, their
names, their row order, their Parquet encodings or the engine that wrote them.

Why not bytes: Spark names files after a random job id, and parquet-mr lists each column
chunk's encodings in the order of a hash set of enum constants, whose hash codes are
identity hashes that change with every JVM. Two runs over the same rows in two processes
therefore write different footers, and a Glue, Synapse and local build differ anyway.

Each row is rendered as canonical text, one field per column in contract order separated by
U+001F: `n` for NULL, else `v` and the value (strings as they are, integers and decimals in
plain notation, dates ISO, timestamps as microseconds since the epoch). The first 60 bits of
the text's SHA-256 are summed over the table (in Spark as two 64-bit sums, of the high
and the low 30 bits, combined in Python: exact, and far cheaper than decimal arithmetic per
row). `rows:sum` is a checksum of the rows as a
multiset (the sorted rows, without a sort); a job computes it in the pass that writes the
table. `parquet_checksum` computes the same from the files with pyarrow, independently of
Spark.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from pyspark.sql import Column

SEPARATOR: Final = "\x1f"
# Hex digits of the SHA-256 taken per row: 15 (60 bits) fit a signed 64-bit integer.
DIGITS: Final = 15
PREFIX: Final = "sha256-60"


@dataclass(frozen=True)
class Checksum:
    rows: int
    total: int

    def __str__(self) -> str:
        return f"{PREFIX}:{self.rows}:{self.total:x}"

    @classmethod
    def parse(cls, text: str) -> Checksum:
        prefix, rows, total = text.split(":")
        if prefix != PREFIX:
            raise ValueError(f"not a {PREFIX} checksum: {text!r}")
        return cls(int(rows), int(total, 16))


# --- Spark ----------------------------------------------------------------------------------
def _spark_field(name: str, kind: str) -> Column:
    from pyspark.sql import functions as F

    value = F.col(name)
    text = F.unix_micros(value).cast("string") if kind == "timestamp" else value.cast("string")
    return F.when(value.isNull(), F.lit("n")).otherwise(F.concat(F.lit("v"), text))


# The row hash is summed in two halves of HALF_BITS bits: each sum fits a 64-bit integer for
# any table below 2**33 rows, and no decimal arithmetic runs per row.
HALF_BITS: Final = DIGITS * 4 // 2


def row_hash(schema: Sequence[tuple[str, str]]) -> Column:
    """A row's 60-bit hash as a 64-bit integer."""
    from pyspark.sql import functions as F

    text = F.concat_ws(SEPARATOR, *(_spark_field(n, k) for n, k in schema))
    digest = F.substring(F.sha2(text, 256), 1, DIGITS)
    return F.conv(digest, 16, 10).cast("bigint")


def aggregates(schema: Sequence[tuple[str, str]], prefix: str = "checksum") -> list[Column]:
    """Aggregate columns `<prefix>_rows`, `<prefix>_high` and `<prefix>_low` (for `observe`
    or `agg`); `from_metrics` combines them."""
    from pyspark.sql import functions as F

    value = row_hash(schema)
    zero = F.lit(0).cast("bigint")
    return [
        F.count(F.lit(1)).alias(f"{prefix}_rows"),
        F.coalesce(F.sum(F.shiftright(value, HALF_BITS)), zero).alias(f"{prefix}_high"),
        F.coalesce(F.sum(value.bitwiseAND(F.lit((1 << HALF_BITS) - 1))), zero).alias(
            f"{prefix}_low"
        ),
    ]


def from_metrics(metrics: dict[str, Any], prefix: str = "checksum") -> Checksum:
    high, low = int(metrics[f"{prefix}_high"]), int(metrics[f"{prefix}_low"])
    return Checksum(int(metrics[f"{prefix}_rows"]), (high << HALF_BITS) + low)


# --- Python (pyarrow), for checks outside Spark -----------------------------------------------
def _text(value: Any, kind: str) -> str:
    if value is None:
        return "n"
    if kind == "timestamp":  # an epoch-microsecond integer (see parquet_checksum)
        return f"v{value}"
    if isinstance(value, Decimal | int | str):
        return f"v{value}"
    if isinstance(value, date):
        return f"v{value.isoformat()}"
    raise TypeError(f"no canonical text for {type(value).__name__} ({kind})")


def row_checksum(rows: Iterable[Sequence[Any]], kinds: Sequence[str]) -> Checksum:
    """The checksum of rows given as Python values (timestamps as epoch microseconds)."""
    count = total = 0
    for row in rows:
        text = SEPARATOR.join(_text(v, k) for v, k in zip(row, kinds, strict=True))
        total += int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGITS], 16)
        count += 1
    return Checksum(count, total)


def parquet_checksum(path: str | Path, schema: Sequence[tuple[str, str]]) -> Checksum:
    """The checksum of the Parquet table at `path` (a file or a folder), read with pyarrow."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    names = [n for n, _ in schema]
    kinds = [k for _, k in schema]
    table = pq.read_table(path, columns=names, partitioning=None)
    columns = []
    for name, kind in schema:
        column = table.column(name)
        if kind == "timestamp":  # whatever the unit and zone: microseconds of the instant
            column = pc.cast(column.cast(pa.timestamp("us", tz="UTC")), pa.int64())
        columns.append(column.to_pylist())
    return row_checksum(zip(*columns, strict=True), kinds)
