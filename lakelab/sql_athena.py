"""Athena (Trino) SQL that sqlglot does not carry over to DuckDB with the same meaning.

Applied to every parsed query of the `athena` dialect before it is written as DuckDB SQL:

- the default catalog: `awsdatacatalog.db.table` is `db.table` in the sandbox;
- `to_milliseconds(interval)`: in Trino, the milliseconds of an interval (dbt-athena's
  `datediff(..., 'day')` is `to_milliseconds(date - date) / 86400000`); DuckDB's function of that
  name builds an interval from a number instead, and DuckDB's `date - date` is a number of days,
  so it becomes `days * 86400000` or `epoch(interval) * 1000` as a BIGINT;
- integer division: Trino's `bigint / bigint` is a bigint, DuckDB's a double; sqlglot writes
  the integer form once the tree's types are annotated.

Trino functions: https://trino.io/docs/current/functions/datetime.html (`to_milliseconds`),
https://trino.io/docs/current/functions/math.html (division of integers truncates).
"""

from __future__ import annotations

from typing import Any, Final

DEFAULT_CATALOG: Final = "awsdatacatalog"
_DAY_MS: Final = 86_400_000


def drop_default_catalog(tree: Any) -> None:
    from sqlglot import exp

    for table in tree.find_all(exp.Table):
        if table.catalog.lower() == DEFAULT_CATALOG:
            table.set("catalog", None)


def _is_date(node: Any) -> bool:
    from sqlglot import exp

    return isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.DATE)


def _milliseconds(arg: Any) -> Any:
    from sqlglot import exp

    inner = arg.unnest() if isinstance(arg, exp.Paren) else arg
    if isinstance(inner, exp.Sub) and _is_date(inner.this) and _is_date(inner.expression):
        product = exp.Mul(this=exp.paren(inner.copy()), expression=exp.Literal.number(_DAY_MS))
        return exp.cast(product, "BIGINT")
    seconds = exp.Anonymous(this="EPOCH", expressions=[inner.copy()])
    return exp.cast(exp.Mul(this=seconds, expression=exp.Literal.number(1000)), "BIGINT")


def adapt(tree: Any) -> Any:
    """The query with Athena's meaning kept for DuckDB (see the module's docstring)."""
    from sqlglot import exp
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.annotate_types import annotate_types

    drop_default_catalog(tree)
    for call in list(tree.find_all(exp.Anonymous)):
        if str(call.this).lower() == "to_milliseconds" and len(call.expressions) == 1:
            call.replace(_milliseconds(call.expressions[0]))
    if tree.find(exp.Div) is None:
        return tree
    try:
        return annotate_types(tree, dialect="athena")
    except SqlglotError:
        return tree
