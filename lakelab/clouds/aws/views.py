"""Athena views as the Glue Data Catalog stores them.

Athena keeps a view (`CREATE VIEW`) as a Glue table of type `VIRTUAL_VIEW` whose
`ViewOriginalText` is `/* Presto View: <base64 of a JSON document> */`; the document holds the
view's SQL (`originalSql`), the catalog and database it was defined in, and its columns with
Trino types. `ViewExpandedText` is `/* Presto View */` and the table's parameters say
`presto_view=true`. Glue columns carry the Hive types. dbt-athena reads views back from Glue
(`TableType == "VIRTUAL_VIEW"`), and so does the twin's query engine.

Athena, "Working with views": https://docs.aws.amazon.com/athena/latest/ug/views.html
Glue `TableInput` (`ViewOriginalText`, `ViewExpandedText`, `TableType`):
https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Final

VIEW_TYPE: Final = "VIRTUAL_VIEW"
DEFAULT_CATALOG: Final = "awsdatacatalog"
_ORIGINAL: Final = re.compile(r"^/\* Presto View: ([A-Za-z0-9+/=]+) \*/$")
# Hive column types (Glue) as Trino spells them in the view document.
_TRINO: Final = {"string": "varchar", "int": "integer", "float": "real"}


def trino_type(hive: str) -> str:
    return _TRINO.get(hive, hive)


def view_input(
    name: str, database: str, sql: str, columns: list[tuple[str, str]]
) -> dict[str, Any]:
    """The Glue `TableInput` of an Athena view over `sql` with `columns` (name, Hive type)."""
    document = {
        "originalSql": sql,
        "catalog": DEFAULT_CATALOG,
        "schema": database,
        "columns": [{"name": n, "type": trino_type(t)} for n, t in columns],
    }
    encoded = base64.b64encode(json.dumps(document).encode()).decode()
    return {
        "Name": name,
        "TableType": VIEW_TYPE,
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "ViewOriginalText": f"/* Presto View: {encoded} */",
        "ViewExpandedText": "/* Presto View */",
        "PartitionKeys": [],
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in columns],
            "SerdeInfo": {},
            "Location": "",
        },
    }


def view_sql(table: dict[str, Any]) -> str | None:
    """The SQL of a Glue table that is an Athena view; None for other tables."""
    if table.get("TableType") != VIEW_TYPE:
        return None
    match = _ORIGINAL.match(str(table.get("ViewOriginalText", "")).strip())
    if match is None:
        return None
    try:
        document = json.loads(base64.b64decode(match.group(1)))
    except ValueError:
        return None
    sql = document.get("originalSql") if isinstance(document, dict) else None
    return str(sql) if sql else None
