"""Blob storage in the twin: one Azurite storage account per learner, a container per layer.

Azurite serves every account listed in its `AZURITE_ACCOUNTS` environment variable
(`name:key;name:key`); lakelab keeps the list and the keys in the state folder and restarts
Azurite when a learner is added or removed (data persists through `--location`). A learner's
credential is their account key (or a connection string with it): Azurite checks the Shared
Key signature against that account only, so it reaches that learner's containers and no
other's. Anonymous access is refused (containers are private).

Tags: Azure puts tags on the storage account (an ARM resource, which Azurite does not have),
so the twin stores the same tags as container metadata under the key `tags` (a JSON object;
metadata names cannot contain `-`, as in `managed-by`).

Emulated (Azurite 3.35): the Blob API - containers, block/append/page blobs, metadata,
snapshots, leases, SAS, Shared Key auth; `adlfs` (`abfs://`) works over it.
Not emulated: ADLS Gen2 (the `dfs` endpoint, hierarchical namespace, directory rename, ACLs),
RBAC role assignments, firewalls, private endpoints, lifecycle management, encryption scopes.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient

from lakelab.clouds.azure.clients import connection_string, service

__all__ = ["connection_string", "service"]

TAGS_KEY: Final = "tags"


def new_account_key() -> str:
    return base64.b64encode(secrets.token_bytes(64)).decode("ascii")


def accounts_setting(accounts: Mapping[str, str]) -> str:
    """The value of AZURITE_ACCOUNTS for these accounts."""
    return ";".join(f"{name}:{key}" for name, key in sorted(accounts.items()))


def encode_tags(tags: Mapping[str, str]) -> dict[str, str]:
    return {TAGS_KEY: json.dumps(dict(sorted(tags.items())), separators=(",", ":"))}


def decode_tags(metadata: Mapping[str, str] | None) -> dict[str, str] | None:
    if not metadata or TAGS_KEY not in metadata:
        return None
    try:
        value = json.loads(metadata[TAGS_KEY])
    except ValueError:
        return None
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None


def ensure_container(svc: BlobServiceClient, name: str, tags: Mapping[str, str]) -> None:
    from azure.core.exceptions import ResourceExistsError

    client = svc.get_container_client(name)
    wanted = encode_tags(tags)
    try:
        client.create_container(metadata=wanted)
        return
    except ResourceExistsError:
        pass
    if client.get_container_properties().metadata != wanted:
        client.set_container_metadata(wanted)


def containers(svc: BlobServiceClient) -> dict[str, dict[str, str]]:
    """Every container of the account with its metadata."""
    return {c.name: dict(c.metadata or {}) for c in svc.list_containers(include_metadata=True)}


def remove_containers(svc: BlobServiceClient) -> list[str]:
    """Delete every container of the account (with all blobs). Returns their names."""
    from azure.core.exceptions import ResourceNotFoundError

    removed: list[str] = []
    for name in containers(svc):
        try:
            svc.delete_container(name)
        except ResourceNotFoundError:
            continue
        removed.append(name)
    return removed


def reachable(svc: BlobServiceClient) -> list[str]:
    """The containers this credential can list; none if it is refused."""
    try:
        return sorted(containers(svc))
    except Exception as exc:
        if _status(exc) in (401, 403, 404):
            return []
        raise


def _status(exc: Exception) -> int:
    code: Any = getattr(exc, "status_code", 0)
    return int(code or 0)
