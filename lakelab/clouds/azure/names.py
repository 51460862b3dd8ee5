"""Every physical name and URI of a learner's lab on Azure, and the way back.

`AzureNames` is the only place that turns a learner into resource group, storage account,
container (ADLS Gen2 filesystem), Synapse and Data Factory names. A layer's container is the
layer's own name, the same in every target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lakelab_jobs.catalog import database as catalog_database

from lakelab.blueprint import Blueprint
from lakelab.naming import CATALOG_LAYERS, DBT_DATABASE, LAYERS, PREFIX, Names

# Containers of the learner's storage account: one per layer, then job artifacts. Synapse
# serverless SQL returns results to the client, so no query-results container is needed.
CONTAINER_PURPOSES: Final[tuple[str, ...]] = (*LAYERS, "artifacts")


@dataclass(frozen=True)
class AzureNames(Names):
    """All Azure names of one learner's lab."""

    @classmethod
    def of(cls, bp: Blueprint) -> AzureNames:
        return cls(bp.cohort, bp.learner, bp.names.seed)

    @property
    def resource_group(self) -> str:
        return f"rg-{self.slug}"

    @property
    def storage_account(self) -> str:
        stem = f"{PREFIX}{self.cohort}{self.learner}".replace("-", "")
        return f"{stem[:16]}{self.hash(8)}"

    def filesystem(self, purpose: str) -> str:
        """ADLS Gen2 filesystem (container): the layer name itself, the same in every target."""
        return purpose

    def containers(self) -> dict[str, str]:
        """purpose -> container, for every purpose."""
        return {p: self.filesystem(p) for p in CONTAINER_PURPOSES}

    def purpose_of_container(self, container: str) -> str | None:
        return next((p for p, c in self.containers().items() if c == container), None)

    def sql_database(self, layer: str) -> str:
        """The serverless SQL database over one catalog layer: the Spark database the catalog
        step creates, which Synapse shares with serverless SQL under the same name."""
        return catalog_database(self.catalog_prefix, layer)

    @property
    def catalog_prefix(self) -> str:
        """What the Synapse catalog step takes as `--catalog_prefix`."""
        return self.snake

    @property
    def dbt_database(self) -> str:
        """The Spark database the dbt step builds the marts in (shared with serverless SQL
        like the layer databases)."""
        return catalog_database(self.catalog_prefix, DBT_DATABASE)

    def sql_databases(self) -> dict[str, str]:
        return {layer: self.sql_database(layer) for layer in CATALOG_LAYERS}

    @property
    def synapse_workspace(self) -> str:
        return f"{self.slug}-syn-{self.suffix}"

    @property
    def synapse_spark_pool(self) -> str:
        # Spark pool names: letters and digits only, at most 15 characters.
        return "medallion"

    @property
    def synapse_sql_pool(self) -> str:
        return "warehouse"

    @property
    def data_factory(self) -> str:
        return f"{self.slug}-adf-{self.suffix}"

    @property
    def budget(self) -> str:
        return f"{self.slug}-budget"

    @property
    def managed_resource_group(self) -> str:
        return f"rg-{self.slug}-synapse-managed"

    def all_names(self) -> list[tuple[str, str]]:
        """(naming rule, name) for every Azure name a lab uses."""
        names: list[tuple[str, str]] = [
            ("resource group", self.resource_group),
            ("resource group", self.managed_resource_group),
            ("storage account", self.storage_account),
            ("synapse workspace", self.synapse_workspace),
            ("data factory", self.data_factory),
        ]
        names += [("adls filesystem", c) for c in self.containers().values()]
        return names


# --- URIs -------------------------------------------------------------------------------------
def abfss_uri(account: str, container: str, key: str = "") -> str:
    """The ADLS Gen2 URI Spark and Synapse use in the cloud."""
    return f"abfss://{container}@{account}.dfs.core.windows.net/{key}"


def abfs_uri(container: str, key: str = "") -> str:
    """The fsspec (adlfs) URI: the account comes from the connection string."""
    return f"abfs://{container}/{key}"
