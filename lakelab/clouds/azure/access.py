"""The Azure access a learner receives: built-in roles and the scope each applies to.

Role definition ids are the same in every Azure tenant (Microsoft Learn, "Azure built-in
roles"). The program assigns these grants; the policy pack and the tests read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

# Built-in role definition ids (the same in every Azure tenant).
AZURE_ROLE_IDS: Final[dict[str, str]] = {
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Data Factory Contributor": "673868aa-7521-48a0-acc6-0f60742d39f5",
}


@dataclass(frozen=True)
class AzureGrant:
    role: str
    scope: Literal["resource_group", "storage_account"]


# The learner reads their whole resource group and writes data only in their own lake.
AZURE_LEARNER_GRANTS: Final[tuple[AzureGrant, ...]] = (
    AzureGrant("Reader", "resource_group"),
    AzureGrant("Data Factory Contributor", "resource_group"),
    AzureGrant("Storage Blob Data Contributor", "storage_account"),
)
