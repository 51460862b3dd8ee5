"""The same medallion contract in DuckDB SQL, on local folders: an independent check of the
Spark jobs' results and the baseline their speed is compared with.

Same rules, same reason codes, same layout (bronze/quarantine by batch, one silver folder per
entity, one gold file). Full runs rebuild everything; incremental runs read only batches
silver has not seen, merge by key and recompute gold for the touched order dates. It is not
a job: it runs in one process on one machine and keeps its watermark in memory.
"""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakelab_jobs.contract import ENTITIES, ORDERS, ROWS_PER_FILE, Entity
from lakelab_jobs.rules import DECIMAL_SHAPE, EMAIL_SHAPE, INTEGER_SHAPE, RULES, TIMESTAMP_SHAPE


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _parsed(value: str, shape: str, kind: str) -> str:
    return f"CASE WHEN regexp_full_match({value}, {_q(shape)}) THEN TRY_CAST({value} AS {kind}) END"


def _typed_select(entity: Entity) -> str:
    """SELECT list: bronze columns, typed `t__` values and `reason_code` (as rules.py)."""
    rules = RULES[entity.name]
    lowered = {*rules.enums, *rules.lower_case, *rules.emails}
    norm: dict[str, str] = {}
    for c in entity.landing:
        text = f"nullif(trim({c}, ' '), '')"
        norm[c] = f"lower({text})" if c in lowered else text
    typed: dict[str, str] = {}
    number_bad: list[str] = []
    time_bad: list[str] = []
    for c, v in norm.items():
        if c in rules.integers:
            typed[c] = _parsed(v, INTEGER_SHAPE, "INTEGER")
            number_bad.append(f"({v} IS NOT NULL AND ({typed[c]}) IS NULL)")
        elif c in rules.decimals:
            kind = rules.decimals[c].upper()
            typed[c] = _parsed(v, DECIMAL_SHAPE, kind)
            number_bad.append(f"({v} IS NOT NULL AND ({typed[c]}) IS NULL)")
        elif c in rules.timestamps:
            typed[c] = (
                f"CASE WHEN regexp_full_match({v}, {_q(TIMESTAMP_SHAPE)}) "
                f"THEN TRY_CAST(TRY_CAST({v} AS TIMESTAMPTZ) AS TIMESTAMP) END"
            )
            time_bad.append(f"({v} IS NOT NULL AND ({typed[c]}) IS NULL)")
        else:
            typed[c] = v
    checks = [
        ("MISSING_REQUIRED", [f"({norm[c]}) IS NULL" for c in rules.required]),
        ("MALFORMED_NUMBER", number_bad),
        ("MALFORMED_TIMESTAMP", time_bad),
        (
            "INVALID_ENUM",
            [f"({typed[c]}) NOT IN ({', '.join(map(_q, ok))})" for c, ok in rules.enums.items()],
        ),
        (
            "INVALID_EMAIL",
            [f"NOT regexp_full_match({typed[c]}, {_q(EMAIL_SHAPE)})" for c in rules.emails],
        ),
        ("OUT_OF_RANGE", _ranges(entity, typed)),
    ]
    whens = " ".join(
        f"WHEN {' OR '.join(conds)} THEN {_q(code)}" for code, conds in checks if conds
    )
    columns = [*entity.bronze_columns, "batch"]
    columns += [f"{typed[c]} AS t__{c}" for c in entity.landing]
    columns.append(f"CASE {whens} END AS reason_code")
    return ", ".join(columns)


def _ranges(entity: Entity, typed: dict[str, str]) -> list[str]:
    if entity is ORDERS:
        q, p = typed["quantity"], typed["unit_price"]
        return [
            f"({q}) NOT BETWEEN 1 AND 10000",
            f"({p}) NOT BETWEEN 0 AND 100000",
            f"({typed['updated_at']}) < ({typed['order_ts']})",
        ]
    if entity.name == "products":
        return [f"({typed['list_price']}) NOT BETWEEN 0 AND 100000"]
    return []


def _silver_select(entity: Entity) -> str:
    derived = {
        "amount": "CAST(t__quantity * t__unit_price AS DECIMAL(14,2))",
        "order_date": "CAST(t__order_ts AS DATE)",
    }
    parts = []
    for name, kind in entity.silver:
        value = derived.get(name, f"t__{name}")
        parts.append(f"CAST({value} AS {kind.upper()}) AS {name}")
    return ", ".join(parts)


@dataclass(frozen=True)
class ReferenceLake:
    """Layer folders under `root`. A landing batch is merged once bronze holds it."""

    root: Path

    def layer(self, name: str) -> Path:
        return self.root / name

    def merged(self, entity: str) -> set[str]:
        folder = self.layer("bronze") / entity
        return {p.name.removeprefix("batch=") for p in folder.glob("batch=*")}


def _connect() -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _copy(con: Any, sql: str, target: Path, partition: str | None = None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    options = "FORMAT parquet, COMPRESSION snappy"
    if partition:
        options += f", PARTITION_BY ({partition}), OVERWRITE_OR_IGNORE true"
    con.execute(f"COPY ({sql}) TO {_q(str(target))} ({options})")


def ingest(
    con: Any, lake: ReferenceLake, landing: Path, entity: Entity, batches: list[str], full: bool
) -> int:
    """Bronze for `batches`: landing rows as strings plus lineage; returns rows."""
    if full:
        shutil.rmtree(lake.layer("bronze") / entity.name, ignore_errors=True)
    files = [str(landing / entity.name / f"{b}.csv") for b in batches]
    columns = "{" + ", ".join(f"{_q(c)}: 'VARCHAR'" for c in entity.landing) + "}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE bronze_{entity.name} AS SELECT {', '.join(entity.landing)}, "
        "'file://' || filename AS _source_file, CAST(now() AS TIMESTAMP) AS _ingested_at, "
        "'reference' AS _run_id, regexp_extract(filename, '([^/]+)\\.csv$', 1) AS batch "
        f"FROM read_csv([{', '.join(map(_q, files))}], header = true, columns = {columns}, "
        "filename = true, quote = '\"', escape = '\"')"
    )
    for b in batches:
        shutil.rmtree(lake.layer("bronze") / entity.name / f"batch={b}", ignore_errors=True)
    _copy(con, f"SELECT * FROM bronze_{entity.name}", lake.layer("bronze") / entity.name, "batch")
    return int(con.execute(f"SELECT count(*) FROM bronze_{entity.name}").fetchone()[0])


def _copy_files(con: Any, sql: str, folder: Path, pattern: str) -> None:
    """Write `sql` as files of about ROWS_PER_FILE rows into `folder`, named by `pattern`."""
    folder.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY ({sql}) TO {_q(str(folder))} (FORMAT parquet, COMPRESSION snappy, "
        f"ROW_GROUP_SIZE {ROWS_PER_FILE}, ROW_GROUPS_PER_FILE 1, "
        f"FILENAME_PATTERN {_q(pattern)}, OVERWRITE_OR_IGNORE true)"
    )


def build_silver(
    con: Any, lake: ReferenceLake, entity: Entity, batches: list[str], incremental: bool
) -> list[str] | None:
    """Validate the staged bronze rows of `batches`, write quarantine and merge silver;
    returns the order dates touched (None when silver was rebuilt).

    As the Spark job: a full build writes files of about ROWS_PER_FILE rows in arrival
    order; an incremental merge rewrites only the files that hold a key it replaces (plus
    the new rows, sorted by key), leaving every other file as it is.
    """
    name = entity.name
    _quarantine(con, lake, entity, batches, incremental)
    values = ", ".join(entity.silver_columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE incoming_{name} AS SELECT {values}, arrival FROM ("
        f"SELECT {_silver_select(entity)}, batch, arrival FROM typed_{name} "
        "WHERE reason_code IS NULL) "
        f"QUALIFY row_number() OVER (PARTITION BY {entity.key} "
        f"ORDER BY updated_at DESC, batch DESC, hash({values}) DESC) = 1"
    )
    table = lake.layer("silver") / name
    if not incremental or not any(table.glob("*.parquet")):
        shutil.rmtree(table, ignore_errors=True)
        _copy_files(
            con, f"SELECT {values} FROM incoming_{name} ORDER BY arrival", table, "part-{i}"
        )
        return None
    return _merge(con, table, entity)


def _quarantine(
    con: Any, lake: ReferenceLake, entity: Entity, batches: list[str], incremental: bool
) -> None:
    """Type the staged bronze rows (`typed_<entity>`) and write the rejected ones to
    quarantine: the batches' partitions replaced, or all of it on a full build."""
    name = entity.name
    quarantine = lake.layer("quarantine") / name
    for b in batches if incremental else []:
        shutil.rmtree(quarantine / f"batch={b}", ignore_errors=True)
    if not incremental:
        shutil.rmtree(quarantine, ignore_errors=True)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE typed_{name} AS "
        f"SELECT {_typed_select(entity)}, row_number() OVER () AS arrival FROM bronze_{name}"
    )
    _copy(
        con,
        f"SELECT * EXCLUDE ({', '.join('t__' + c for c in entity.landing)}, arrival) "
        f"FROM typed_{name} WHERE reason_code IS NOT NULL",
        quarantine,
        "batch",
    )


def _merge(con: Any, table: Path, entity: Entity) -> list[str]:
    """Merge `incoming_<entity>` into silver: the files holding a replaced key are rewritten
    with the winners, sorted by key; returns the order dates touched."""
    name, key = entity.name, entity.key
    values = ", ".join(entity.silver_columns)
    dated = entity is ORDERS
    old_date = ", order_date AS old_date" if dated else ""
    # Where each incoming key lives: a scan of three columns and the file names.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE located_{name} AS SELECT {key}, "
        f"updated_at AS old_updated_at{old_date}, filename "
        f"FROM read_parquet({_q(str(table / '*.parquet'))}, filename = true) "
        f"WHERE {key} IN (SELECT {key} FROM incoming_{name})"
    )
    old = ", l.old_date" if dated else ""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE winners_{name} AS SELECT i.*{old}, "
        f"l.filename FROM incoming_{name} i LEFT JOIN located_{name} l USING ({key}) "
        f"WHERE l.{key} IS NULL OR i.updated_at >= l.old_updated_at"
    )
    replaced = _column(
        con, f"SELECT DISTINCT filename FROM winners_{name} WHERE filename IS NOT NULL ORDER BY 1"
    )
    touched: list[str] = []
    if dated:
        touched = _column(
            con,
            f"SELECT order_date FROM winners_{name} UNION "
            f"SELECT old_date FROM winners_{name} WHERE old_date IS NOT NULL",
        )
    winners = f"SELECT {values} FROM winners_{name}"
    rows = winners
    if replaced:
        files = "[" + ", ".join(map(_q, replaced)) + "]"
        rows = (
            f"SELECT {values} FROM read_parquet({files}) "
            f"WHERE {key} NOT IN (SELECT {key} FROM winners_{name}) UNION ALL {winners}"
        )
    _replace_files(con, table, f"SELECT * FROM ({rows}) ORDER BY {key}", replaced)
    return touched


def _column(con: Any, sql: str) -> list[str]:
    return [str(r[0]) for r in con.execute(sql).fetchall()]


def _replace_files(con: Any, table: Path, sql: str, replaced: list[str]) -> None:
    """Write `sql`'s rows as new files beside the table's, then remove the files replaced."""
    staging = table.parent / f"{table.name}.__staging"
    shutil.rmtree(staging, ignore_errors=True)
    tag = uuid.uuid4().hex[:12]
    _copy_files(con, sql, staging, f"part-{tag}-{{i}}")
    for staged in sorted(staging.iterdir()):
        staged.replace(table / staged.name)
    staging.rmdir()
    for name_ in replaced:
        Path(name_).unlink()


def build_gold(con: Any, lake: ReferenceLake, dates: list[str] | None) -> tuple[int, int]:
    """Rebuild gold (for `dates` only, when given); returns (silver order rows read for the
    dates aggregated, gold rows), counted as the Spark job counts them."""
    silver = _q(str(lake.layer("silver") / "orders" / "*.parquet"))
    target = lake.layer("gold") / "daily_sales" / "part-0.parquet"
    fresh = (
        "SELECT order_date, product_id, region, count(*)::BIGINT AS orders, "
        "sum(quantity)::BIGINT AS units, sum(amount)::DECIMAL(18,2) AS revenue "
        f"FROM read_parquet({silver}) WHERE status <> 'cancelled' {{where}} "
        "GROUP BY ALL"
    )
    where = ""
    if dates is None or not target.exists():
        sql = fresh.format(where="")
    else:
        listed = ", ".join(f"DATE {_q(d)}" for d in dates) or "NULL"
        where = f"WHERE order_date IN ({listed})"
        sql = (
            f"SELECT * FROM read_parquet({_q(str(target))}) WHERE order_date NOT IN ({listed}) "
            f"UNION ALL {fresh.format(where=f'AND order_date IN ({listed})')}"
        )
    _copy(
        con,
        f"SELECT * FROM ({sql}) ORDER BY order_date, product_id, region",
        target.with_suffix(".tmp"),
    )
    target.with_suffix(".tmp").replace(target)
    read = con.execute(f"SELECT count(*) FROM read_parquet({silver}) {where}").fetchone()[0]
    out = con.execute(f"SELECT count(*) FROM read_parquet({_q(str(target))})").fetchone()[0]
    return int(read), int(out)


def run_reference(landing: Path, lake: ReferenceLake, incremental: bool = False) -> dict[str, Any]:
    """One run over every entity; returns seconds per stage and rows per layer."""
    con = _connect()
    seconds = dict.fromkeys(("bronze", "silver", "gold"), 0.0)
    rows: dict[str, int] = {}
    touched: list[str] | None = [] if incremental else None
    for entity in ENTITIES.values():
        batches = sorted(p.stem for p in (landing / entity.name).glob("*.csv"))
        done = lake.merged(entity.name) if incremental else set()
        todo = [b for b in batches if b not in done]
        if not todo:
            continue
        started = time.perf_counter()
        rows[entity.name] = ingest(con, lake, landing, entity, todo, full=not incremental)
        seconds["bronze"] += time.perf_counter() - started
        started = time.perf_counter()
        dates = build_silver(con, lake, entity, todo, incremental)
        seconds["silver"] += time.perf_counter() - started
        if entity is ORDERS:
            touched = None if dates is None or touched is None else sorted({*touched, *dates})
    started = time.perf_counter()
    gold_in = 0
    if touched != []:
        gold_in, rows["gold"] = build_gold(con, lake, touched)
    seconds["gold"] = time.perf_counter() - started
    # As the Spark manifests count: landing rows per stage, silver order rows gold read.
    landed = sum(v for k, v in rows.items() if k != "gold")
    rows_in = {"bronze": landed, "silver": landed, "gold": gold_in}
    con.close()
    return {"seconds": seconds, "rows": rows, "rows_in": rows_in}
