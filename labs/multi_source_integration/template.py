"""Your customer 360 for multi-source-integration: matching is given, survivorship is yours.

    lakelab lab start multi-source-integration --stack demo-alice-aws
    python -m labs.multi_source_integration.template --stack demo-alice-aws
    lakelab lab check multi-source-integration --stack demo-alice-aws

As given, every attribute comes from the CRM when it has one and confidence is left empty:
the status, e-mail, name and confidence checks fail. Implement the rules of guide.md
("Survivorship rules") in the `pick_*` functions and a score in `score()`.
"""

from __future__ import annotations

import argparse
import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from labs.multi_source_integration.solution import (
    C360_KEY,
    C360_SCHEMA,
    CROSSWALK_KEY,
    Rec,
    customer_key,
    match,
    read_sources,
)
from lakelab.lake import current_lake, lake_for


def _first(group: list[Rec], attr: str, order: tuple[str, ...]) -> Rec | None:
    for source in order:
        for r in group:
            if r.source == source and getattr(r, attr) is not None:
                return r
    return None


def pick_name(group: list[Rec]) -> Rec | None:
    # TODO (L1): the first *complete* name (rules.is_complete) by priority CRM > billing >
    # support, then the most recent.
    return _first(group, "name", ("crm", "billing", "support"))


def pick_email(group: list[Rec]) -> Rec | None:
    # TODO (L1): the most recently updated valid address; ties CRM > billing > support.
    return _first(group, "email", ("crm", "billing", "support"))


def pick_status(group: list[Rec]) -> Rec | None:
    # TODO (L1): billing wins; else CRM; and a customer in neither is a 'prospect'.
    return _first(group, "status", ("crm", "billing"))


def pick_tier(group: list[Rec]) -> Rec | None:
    return _first(group, "tier", ("support", "billing"))


def score(attr: str, winner: Rec, group: list[Rec]) -> float | None:
    # TODO (L3): a confidence in [0, 1]: trust in the winning source, agreement of the other
    # sources, recency (see rules.confidence for the reference formula).
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="the learner's stack (default: the shell's profile)")
    args = parser.parse_args(argv)
    lake = lake_for(args.stack) if args.stack else current_lake()
    crosswalk: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for group in match(read_sources(lake)):
        key = customer_key(group)
        crosswalk += [
            {"customer_key": key, "source": r.source, "source_key": r.key, "match_rule": r.rule}
            for r in group
        ]
        row: dict[str, Any] = {"customer_key": key}
        for attr, pick in (
            ("name", pick_name),
            ("email", pick_email),
            ("status", pick_status),
            ("tier", pick_tier),
        ):
            winner = pick(group)
            row[attr] = getattr(winner, attr) if winner else None
            row[f"{attr}_source"] = winner.source if winner else None
            row[f"{attr}_confidence"] = score(attr, winner, group) if winner else None
        rows.append(row)
    for layer, key, table in (
        ("silver", CROSSWALK_KEY, pa.Table.from_pylist(crosswalk)),
        ("gold", C360_KEY, pa.Table.from_pylist(rows, schema=C360_SCHEMA)),
    ):
        sink = io.BytesIO()
        pq.write_table(table, sink)
        lake.put(layer, key, sink.getvalue())
    print(f"{len(rows):,} customers written to gold/{C360_KEY}")


if __name__ == "__main__":
    main()
