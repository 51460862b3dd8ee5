"""The contract of incremental-vs-full: where things are, what the curated table looks like,
and how two tables are proven equal (a checksum over their rows).

    landing/crm/customers_source.json                                   what the source offers
    landing/crm/customer_snapshots/day=<date>/customers.parquet         full extract of the day
    landing/crm/customer_snapshots/day=<date>/_snapshot.json            {"as_of_lsn": ...}
    landing/crm/customer_changes/day=<date>/changes.parquet             the day's change feed
    silver/crm_customers_full/customers.parquet                         built by full reloads
    silver/crm_customers_incremental/customers.parquet                  built incrementally
    silver/crm_customers_incremental/_watermark.json                    {"last_lsn", "last_day"}
    gold/incremental_vs_full/results.json                               timings and checksums
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

SOURCE_KEY = "crm/customers_source.json"
SNAPSHOTS = "crm/customer_snapshots/"
CHANGES = "crm/customer_changes/"
FULL_KEY = "crm_customers_full/customers.parquet"
INCR_KEY = "crm_customers_incremental/customers.parquet"
WATERMARK_KEY = "crm_customers_incremental/_watermark.json"
RESULTS_KEY = "incremental_vs_full/results.json"
LANDING_PREFIXES = (SNAPSHOTS, CHANGES, SOURCE_KEY)
SILVER_PREFIXES = ("crm_customers_full/", "crm_customers_incremental/")
GOLD_PREFIXES = ("incremental_vs_full/",)

_DAY = re.compile(r"day=(\d{4}-\d{2}-\d{2})/")


def snapshot_key(day: date) -> str:
    return f"{SNAPSHOTS}day={day.isoformat()}/customers.parquet"


def snapshot_meta_key(day: date) -> str:
    return f"{SNAPSHOTS}day={day.isoformat()}/_snapshot.json"


def changes_key(day: date) -> str:
    return f"{CHANGES}day={day.isoformat()}/changes.parquet"


def day_in(key: str) -> date | None:
    match = _DAY.search(key)
    return date.fromisoformat(match.group(1)) if match else None


# The curated customer table: one row per live customer, cleaned the same way by both loads.
#   names: trimmed, inner runs of spaces collapsed; email: trimmed, lower case, NULL when it is
#   not an address; country: upper case; status and plan: trimmed, lower case.
CURATED_COLUMNS = (
    "customer_id BIGINT, first_name VARCHAR, last_name VARCHAR, email VARCHAR, country VARCHAR,"
    " status VARCHAR, plan VARCHAR, signup_date DATE, updated_at TIMESTAMP"
)
NORMALISE = """
    CAST(customer_id AS BIGINT) AS customer_id,
    regexp_replace(trim(first_name), '\\s+', ' ', 'g') AS first_name,
    regexp_replace(trim(last_name), '\\s+', ' ', 'g') AS last_name,
    CASE WHEN regexp_full_match(lower(trim(email)), '[^@\\s]+@[^@\\s]+\\.[a-z]{2,}')
         THEN lower(trim(email)) END AS email,
    upper(trim(country)) AS country,
    lower(trim(status)) AS status,
    lower(trim(plan)) AS plan,
    CAST(signup_date AS DATE) AS signup_date,
    CAST(updated_at AS TIMESTAMP) AS updated_at
"""


def connect(threads: int = 2) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    return con


def sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def checksum(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, str]:
    """(rows, checksum) of a customer table: order-independent, sensitive to every value.
    Each row becomes one text line; the checksum sums the lines' md5 (as 64-bit numbers)."""
    fields = ", ".join(
        f"coalesce(CAST({c} AS VARCHAR), '<null>')"
        for c in ("customer_id", "first_name", "last_name", "email", "country", "status", "plan")
    )
    row = con.execute(
        f"""
        SELECT count(*), coalesce(sum(md5_number_lower(concat_ws('|', {fields},
               coalesce(strftime(CAST(signup_date AS DATE), '%Y-%m-%d'), '<null>'),
               coalesce(strftime(CAST(updated_at AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%f'),
                        '<null>')))), 0)
        FROM {relation}
        """
    ).fetchone()
    assert row is not None
    rows, total = int(row[0]), int(row[1])
    return rows, f"{rows}:{total % 2**64:016x}"


def results_table(results: dict[str, Any]) -> list[str]:
    """The comparison as text lines, for the terminal."""
    rate = results.get("source_rows_per_second_assumed", 0)
    lines = [
        f"{'':<12}{'measured on the lake (s)':^34}{'rows read':^22}{'modelled extract (s)':^22}",
        f"{'day':<12}{'full':>8}{'(extract)':>10}{'incr':>7}{'(extract)':>10}"
        f"{'full':>11}{'incr':>9}{'full':>11}{'incr':>9}  same result",
    ]
    incr = {d["day"]: d for d in results["incremental"]["days"]}
    for d in results["full"]["days"]:
        i = incr.get(d["day"], {})
        same = "yes" if results.get("same_by_day", {}).get(d["day"]) else "NO"
        lines.append(
            f"{d['day']:<12}{d['seconds']:>8.2f}{d['extract_seconds']:>10.2f}"
            f"{i.get('seconds', 0):>7.2f}{i.get('extract_seconds', 0):>10.2f}"
            f"{d['source_rows_read']:>11,}{i.get('source_rows_read', 0):>9,}"
            f"{d['modelled_source_seconds']:>11.1f}{i.get('modelled_source_seconds', 0):>9.1f}"
            f"  {same}"
        )
    f_tot, i_tot = results["full"]["daily_seconds"], results["incremental"]["daily_seconds"]
    lines.append(
        f"{str(len(results['days'])) + ' days':<12}{f_tot:>8.2f}{'':>10}{i_tot:>7.2f}"
        f"   full / incremental time: {results['speedup']}x"
    )
    if rate:
        lines.append(f"(modelled extract: a CRM database read at an assumed {rate:,} rows/s)")
    return lines
