"""Azure as lakelab knows it: names, access, clients, the lake, the catalog and teardown.

- `names`: resource group, storage account, container, Synapse and Data Factory names, URIs.
- `access`: the built-in roles a learner receives and their scopes.
- `clients`: Azure Storage clients with lakelab's one retry policy.
- `lake`, `fs`, `catalog`: the learner's blob lake, `abfs://` for DuckDB, the serverless SQL
  catalog (a DuckDB file on the twin).
- `teardown`: the sweep that finds and deletes what a cohort left (through the Azure CLI).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from lakelab.blueprint import Blueprint
from lakelab.clouds.azure.clients import account_url, connection_string
from lakelab.clouds.azure.concepts import CONCEPTS
from lakelab.clouds.azure.names import CONTAINER_PURPOSES, AzureNames
from lakelab.naming import Names
from lakelab.profile import LearnerProfile
from lakelab.regions import AZURE_REGIONS, Cloud

if TYPE_CHECKING:
    import fsspec

    from lakelab.catalog import TableSpec
    from lakelab.clouds.acceptance import Acceptance
    from lakelab.clouds.target import Lake, PlanLike
    from lakelab.cohort.sweep import SweepReport
    from lakelab.lakefs import ByteCounter


# An Entra object id of the right shape for plans made only to price a lab; `up` would fail
# with it (PrincipalNotFound), which is why no learner's stack file may carry it.
PLACEHOLDER_PRINCIPAL: Final = "00000000-0000-4000-8000-000000000000"


class AzureTarget:
    name: Final[Cloud] = "azure"
    title: Final = "Azure"
    regions: Final = AZURE_REGIONS
    region_config_key: Final = "azure-native:location"
    default_region: Final = "eastus"
    concepts: Final = CONCEPTS
    query_engine: Final = "synapse-serverless"
    # Athena engine v3 is Trino; Synapse serverless SQL speaks T-SQL.
    pipeline_kind: Final = "Data Factory pipeline"
    query_title: Final = "Synapse serverless SQL"
    workgroup_kind: Final = "SQL endpoint"
    sql_dialect: Final = "tsql"
    location_kind: Final = "CONTAINER"
    purposes: Final = CONTAINER_PURPOSES
    # The lab grants roles to the learner's existing Entra ID user (access.azurePrincipalId).
    principal: Final = "the learner's Entra ID object id"

    def physical_names(self, names: Names) -> list[tuple[str, str]]:
        return AzureNames(names.cohort, names.learner, names.seed).all_names()

    def stand_in_access(self) -> dict[str, str]:
        return {"azurePrincipalId": PLACEHOLDER_PRINCIPAL}

    def locations(self, bp: Blueprint) -> dict[str, str]:
        return AzureNames.of(bp).containers()

    def databases(self, bp: Blueprint) -> dict[str, str]:
        return AzureNames.of(bp).sql_databases()

    def plan_identity(self, plan: PlanLike) -> tuple[dict[str, Any], tuple[str, str]]:
        out = plan.outputs
        identity = {
            "name": out["identity"]["storage_account"],
            "storage": sorted(c["name"] for c in out["lake"].values()),
            "catalogs": sorted(out["catalogs"].values()),
        }
        return identity, ("azure-native:resources:ResourceGroup", "group")

    def sdk_env(self, profile: LearnerProfile) -> dict[str, str]:
        account = profile.key_id
        blob = account_url(profile.endpoint, account)
        return {
            # adlfs reads the first three; azure-storage-blob and the Azure CLI the
            # connection string.
            "AZURE_STORAGE_ACCOUNT_NAME": account,
            "AZURE_STORAGE_ACCOUNT_KEY": profile.secret,
            "AZURE_STORAGE_CONNECTION_STRING": connection_string(
                profile.endpoint, account, profile.secret
            ),
            "AZURE_STORAGE_BLOB_ENDPOINT": blob,
            # object_store (polars) takes `AZURE_*` variables as its config keys
            # (MicrosoftAzureBuilder::from_env; docs.rs/object_store, AzureConfigKey::Endpoint):
            # the account and key above, and this endpoint for every URL form.
            "AZURE_STORAGE_ENDPOINT": blob,
        }

    def credentials_from_env(self, env: Mapping[str, str]) -> dict[str, Any]:
        account = env.get("AZURE_STORAGE_ACCOUNT_NAME", "")
        blob_endpoint = env.get("AZURE_STORAGE_BLOB_ENDPOINT", "")
        suffix = f"/{account}"
        twin = blob_endpoint.endswith(suffix) and ".blob.core.windows.net" not in blob_endpoint
        return {
            "endpoint": blob_endpoint[: -len(suffix)] if twin else None,
            "key_id": account,
            "secret": env.get("AZURE_STORAGE_ACCOUNT_KEY", ""),
        }

    def lake(self, profile: LearnerProfile) -> Lake:
        from lakelab.clouds.azure.lake import BlobLake

        return BlobLake(profile)

    def filesystem(
        self, profile: LearnerProfile, counter: ByteCounter
    ) -> fsspec.AbstractFileSystem:
        from lakelab.clouds.azure.fs import blob_filesystem

        return blob_filesystem(profile, counter)

    def register_tables(self, profile: LearnerProfile, specs: list[TableSpec]) -> int:
        from lakelab.clouds.azure.catalog import register_duckdb

        return register_duckdb(profile, specs)

    def catalog_tables(self, profile: LearnerProfile) -> list[TableSpec]:
        from lakelab.clouds.azure.catalog import catalog_tables

        return catalog_tables(profile)

    def account_warnings(self, bps: Sequence[Blueprint]) -> list[str]:
        # Azure cost data carries resource tags as they are: a budget's tag filter needs no
        # activation step in the subscription.
        return []

    def plan_notes(self, bp: Blueprint) -> list[str]:
        notes = [
            f"the budget of {bp.budget_usd:g} is in the subscription's billing currency: Azure"
            " budgets have no currency of their own, so it means USD only on a USD billing"
            " account"
        ]
        principal = bp.access.azure_principal_id
        if principal:
            notes.append(
                f"access.azurePrincipalId {principal} cannot be checked offline: `pulumi up`"
                " fails with PrincipalNotFound unless it is a user's object id in your tenant"
                f" (check: az ad user show --id {principal} --query id)"
            )
        if not bp.network.allowed_ip_ranges:
            notes.append(
                "network.allowedIpRanges is empty: no firewall rule admits you (the deployer)"
                " to the Synapse workspace, so the Synapse role assignments and the Spark job"
                " definition fail at `up`; add your public IP range"
            )
        return notes

    def sweep(self, cohort: str, regions: set[str], learners: set[str] | None) -> SweepReport:
        from lakelab.clouds.azure.teardown import AzureSweep

        # Resource groups are found subscription-wide, in every region at once.
        return AzureSweep(cohort, learners).run()

    def acceptance(self, bp: Blueprint, outputs: Mapping[str, Any]) -> Acceptance:
        from lakelab.clouds.azure.acceptance import AzureAcceptance

        return AzureAcceptance(outputs, AzureNames.of(bp).data_factory)


TARGET: Final = AzureTarget()
