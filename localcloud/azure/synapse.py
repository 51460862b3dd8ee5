"""The serverless SQL catalog of the Azure twin: a DuckDB file standing in for Synapse.

In the cloud, a learner's catalog layers (bronze, silver, gold) are databases of the Synapse
serverless SQL endpoint `<workspace>-ondemand`. In the twin, that endpoint is one DuckDB file,
`azure/synapse/<storage account>/<workspace>-ondemand.duckdb`, with one schema per catalog
database (named as `Names.glue_database(layer)`, the same names on both clouds). Labs open it
with `duckdb.connect(os.environ["LAKELAB_SQL_DATABASE"])` and define views over the data they
read from the blob containers.

Not emulated: T-SQL, `OPENROWSET` over storage, logins and permissions, dedicated SQL pools,
Spark pools and pipelines.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Final

SYSTEM_SCHEMAS: Final = frozenset({"main", "information_schema", "pg_catalog"})


def catalog_dir(root: Path, account: str) -> Path:
    return root / account


def catalog_file(root: Path, account: str, endpoint: str) -> Path:
    return catalog_dir(root, account) / f"{endpoint}.duckdb"


def ensure_catalogs(path: Path, schemas: Iterable[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    import duckdb

    wanted = sorted(schemas)
    con = duckdb.connect(str(path))
    try:
        for schema in wanted:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        con.close()


def endpoints(root: Path, account: str) -> list[str]:
    """The serverless endpoint names that have a catalog for this account."""
    folder = catalog_dir(root, account)
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.duckdb"))


def read_catalogs(path: Path) -> list[str]:
    if not path.is_file():
        return []
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT schema_name FROM information_schema.schemata"
            " WHERE catalog_name = current_database()"
        ).fetchall()
    finally:
        con.close()
    return sorted(str(r[0]) for r in rows if str(r[0]) not in SYSTEM_SCHEMAS)


def remove_catalogs(root: Path, account: str) -> bool:
    folder = catalog_dir(root, account)
    if not folder.exists():
        return False
    with contextlib.suppress(FileNotFoundError):
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)
        else:
            folder.unlink()
    return True
