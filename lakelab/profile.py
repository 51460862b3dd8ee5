"""The learner profile: one typed record of how a learner reaches their own lab.

A profile names the learner's endpoint and credentials, the bucket or container of every
layer and lake purpose, the catalog database of every catalog layer, and the query endpoint.
It is written by the local twin when a stack is provisioned (or built from stack outputs for
a cloud lab) and read back by the lake, the SQL engine and the labs, always through
`lakelab.clouds.profile_env` / `profile_from_env`, so the variables are spelled in one place.

The `LAKELAB_*` variables are rendered here; each cloud's own SDK variables (`AWS_*`,
`AZURE_STORAGE_*`) are rendered by that cloud's home.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from lakelab.errors import UserError
from lakelab.naming import CATALOG_LAYERS, CATALOG_PURPOSES
from lakelab.regions import Cloud

STACK: Final = "LAKELAB_STACK"
CLOUD: Final = "LAKELAB_CLOUD"
COHORT: Final = "LAKELAB_COHORT"
LEARNER: Final = "LAKELAB_LEARNER"
REGION: Final = "LAKELAB_REGION"
WORKGROUP: Final = "LAKELAB_WORKGROUP"
SQL_ENDPOINT: Final = "LAKELAB_SQL_ENDPOINT"
SQL_CATALOG: Final = "LAKELAB_SQL_DATABASE"


def _var(kind: str, name: str) -> str:
    return f"LAKELAB_{kind}_{name.upper().replace('-', '_')}"


class LearnerProfile(BaseModel):
    """How one learner reaches their lab on one cloud (or on its twin)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stack: str
    cloud: Cloud
    cohort: str
    learner: str
    region: str
    # The service endpoint (the twin's emulator); None means the cloud's public endpoints.
    endpoint: str | None = None
    # AWS: the access key id and secret; Azure: the storage account name and key.
    key_id: str = ""
    secret: str = Field(default="", repr=False)
    # purpose (layer, `query-results`, `artifacts`) -> bucket or container
    locations: dict[str, str] = {}
    # catalog layer (or `dbt`, the marts' database on AWS) -> catalog database (Glue database
    # or serverless SQL database)
    databases: dict[str, str] = {}
    workgroup: str | None = None
    sql_endpoint: str | None = None
    # The twin's serverless SQL catalog file (DuckDB standing in for Synapse serverless).
    sql_catalog: str | None = None

    def location(self, purpose: str) -> str:
        """The bucket or container of a layer or lake purpose."""
        try:
            return self.locations[purpose]
        except KeyError:
            raise UserError(f"the profile of {self.stack} has no {purpose} location") from None

    def database(self, layer: str) -> str:
        try:
            return self.databases[layer]
        except KeyError:
            raise UserError(f"the profile of {self.stack} has no {layer} database") from None

    def catalog_databases(self) -> list[str]:
        return [self.databases[p] for p in CATALOG_PURPOSES if p in self.databases]

    def search_path(self) -> list[str]:
        """The catalog databases in the order unqualified table names resolve: the layers,
        gold first, then dbt's marts (so `daily_sales` is the gold stage's table)."""
        layers = [self.databases[layer] for layer in CATALOG_LAYERS if layer in self.databases]
        return [*reversed(layers), *(db for db in self.catalog_databases() if db not in layers)]

    def lakelab_env(self, location_kind: str) -> dict[str, str]:
        """The `LAKELAB_*` variables; `location_kind` is `BUCKET` or `CONTAINER`."""
        env = {
            STACK: self.stack,
            CLOUD: self.cloud,
            COHORT: self.cohort,
            LEARNER: self.learner,
            REGION: self.region,
        }
        env |= {_var(location_kind, p): name for p, name in self.locations.items()}
        env |= {_var("DATABASE", layer): db for layer, db in self.databases.items()}
        for key, value in (
            (WORKGROUP, self.workgroup),
            (SQL_ENDPOINT, self.sql_endpoint),
            (SQL_CATALOG, self.sql_catalog),
        ):
            if value:
                env[key] = value
        return env

    @staticmethod
    def lakelab_fields(
        env: Mapping[str, str], location_kind: str, purposes: tuple[str, ...]
    ) -> dict[str, object]:
        """The fields `lakelab_env` wrote, read back (the inverse of `lakelab_env`)."""
        if not env.get(STACK) or not env.get(CLOUD):
            raise UserError(
                "no learner profile: set LAKELAB_CLOUD and the variables `lakelab local env` prints"
            )
        locations = {
            p: env[_var(location_kind, p)] for p in purposes if env.get(_var(location_kind, p))
        }
        databases = {
            p: env[_var("DATABASE", p)] for p in CATALOG_PURPOSES if env.get(_var("DATABASE", p))
        }
        return {
            "stack": env[STACK],
            "cloud": env[CLOUD],
            "cohort": env.get(COHORT, ""),
            "learner": env.get(LEARNER, ""),
            "region": env.get(REGION, ""),
            "locations": locations,
            "databases": databases,
            "workgroup": env.get(WORKGROUP) or None,
            "sql_endpoint": env.get(SQL_ENDPOINT) or None,
            "sql_catalog": env.get(SQL_CATALOG) or None,
        }
