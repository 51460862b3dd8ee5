"""The learner's lake on ADLS Gen2: a resource group, one hierarchical-namespace storage
account, a filesystem (container) per layer plus `artifacts`, and a lifecycle policy."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.resources as resources
import pulumi_azure_native.storage as storage

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.azure.names import CONTAINER_PURPOSES, AzureNames
from lakelab.naming import QUARANTINE_RETENTION_DAYS
from lakelab.pipeline.sources import ENTITIES

ARTIFACTS = "artifacts"


class LakeStorage(LabComponent):
    containers: dict[str, storage.BlobContainer]

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        group: resources.ResourceGroup,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:azure:LakeStorage", name, bp.tags, opts)
        self.account = self._account(bp, group)
        self.containers = self._containers(bp, group)
        storage.ManagementPolicy(
            "lifecycle",
            management_policy_name="default",
            account_name=self.account.name,
            resource_group_name=group.name,
            policy=storage.ManagementPolicySchemaArgs(rules=_lifecycle_rules()),
            opts=self.child(parent=self.account, depends_on=list(self.containers.values())),
        )
        self.dfs_endpoint = self.account.primary_endpoints.dfs
        self.register_outputs({"account": self.account.name})

    def _account(self, bp: Blueprint, group: resources.ResourceGroup) -> storage.StorageAccount:
        """One StorageV2 account with a hierarchical namespace (ADLS Gen2)."""
        return storage.StorageAccount(
            "account",
            account_name=AzureNames.of(bp).storage_account,
            resource_group_name=group.name,
            location=bp.region,
            kind=storage.Kind.STORAGE_V2,
            sku=storage.SkuArgs(name=storage.SkuName.STANDARD_LRS),
            access_tier=storage.AccessTier.HOT,
            is_hns_enabled=True,
            allow_blob_public_access=not bp.access.block_public_access,
            public_network_access=storage.PublicNetworkAccess.ENABLED,
            minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
            enable_https_traffic_only=True,
            # Shared keys stay on: the provider uploads the job artifacts with them.
            allow_shared_key_access=True,
            default_to_o_auth_authentication=True,
            encryption=storage.EncryptionArgs(
                key_source=storage.KeySource.MICROSOFT_STORAGE,
                services=storage.EncryptionServicesArgs(
                    blob=storage.EncryptionServiceArgs(
                        enabled=True, key_type=storage.KeyType.ACCOUNT
                    ),
                    file=storage.EncryptionServiceArgs(
                        enabled=True, key_type=storage.KeyType.ACCOUNT
                    ),
                ),
            ),
            tags=self.tags,
            opts=self.child(),
        )

    def _containers(
        self, bp: Blueprint, group: resources.ResourceGroup
    ) -> dict[str, storage.BlobContainer]:
        """A filesystem (container) per lake purpose."""
        blocked = bp.access.block_public_access
        return {
            purpose: storage.BlobContainer(
                purpose,
                container_name=AzureNames.of(bp).filesystem(purpose),
                account_name=self.account.name,
                resource_group_name=group.name,
                public_access=storage.PublicAccess.NONE
                if blocked
                else storage.PublicAccess.CONTAINER,
                metadata={"layer": purpose, "learner": bp.learner, "cohort": bp.cohort},
                opts=self.child(parent=self.account),
            )
            for purpose in CONTAINER_PURPOSES
        }

    def uri(self, purpose: str) -> pulumi.Output[str]:
        """abfss://<filesystem>@<account>.dfs.core.windows.net/"""
        return pulumi.Output.concat(
            "abfss://",
            self.containers[purpose].name,
            "@",
            self.account.name,
            ".dfs.core.windows.net/",
        )


def _lifecycle_rules() -> list[storage.ManagementPolicyRuleArgs]:
    """Landing cools after 30 days; quarantined rows expire after 30.

    A rule's `prefixMatch` only selects (there is no exclude filter), and the pipeline keeps
    its watermarks and run manifests under `quarantine/_lakelab/`, which must never expire.
    So the delete rule names each entity's quarantine folder (`quarantine/orders/`, ...)
    rather than the container. A prefix starts with the container name:
    https://learn.microsoft.com/azure/storage/blobs/lifecycle-management-policy-structure
    """

    def rule(
        name: str, prefixes: list[str], actions: storage.ManagementPolicyBaseBlobArgs
    ) -> storage.ManagementPolicyRuleArgs:
        return storage.ManagementPolicyRuleArgs(
            name=name,
            enabled=True,
            type=storage.RuleType.LIFECYCLE,
            definition=storage.ManagementPolicyDefinitionArgs(
                filters=storage.ManagementPolicyFilterArgs(
                    blob_types=["blockBlob"], prefix_match=prefixes
                ),
                actions=storage.ManagementPolicyActionArgs(base_blob=actions),
            ),
        )

    def after(days: int) -> storage.DateAfterModificationArgs:
        return storage.DateAfterModificationArgs(days_after_modification_greater_than=days)

    return [
        rule(
            "cool-landing",
            ["landing/"],
            storage.ManagementPolicyBaseBlobArgs(tier_to_cool=after(30)),
        ),
        rule(
            "expire-quarantine",
            [f"quarantine/{entity}/" for entity in ENTITIES],
            storage.ManagementPolicyBaseBlobArgs(delete=after(QUARANTINE_RETENTION_DAYS)),
        ),
    ]
