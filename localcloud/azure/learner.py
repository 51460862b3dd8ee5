"""One learner's Azure twin: provision it from the blueprint, read it back, remove it.

- a storage account named `Names.storage_account`, served by Azurite with its own key;
- a private container per layer, plus `artifacts`, named as the cloud's ADLS filesystems and
  carrying the blueprint's tags as metadata;
- the serverless SQL catalog `<workspace>-ondemand` with a schema per catalog layer
  (`localcloud.azure.synapse`).

The account key is the learner's credential. Adding or removing the account restarts
Azurite (the caller does that: see `localcloud.twin`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lakelab.blueprint import Blueprint
from lakelab.clouds import profile_for
from lakelab.clouds.azure.names import AzureNames
from lakelab.naming import LAYERS
from localcloud.azure import blob, synapse
from localcloud.state import StackRecord


def endpoint_name(bp: Blueprint) -> str:
    return f"{AzureNames.of(bp).synapse_workspace}-ondemand"


def resources(bp: Blueprint) -> dict[str, list[str]]:
    n = AzureNames.of(bp)
    return {
        "accounts": [n.storage_account],
        "containers": list(n.containers().values()),
        "databases": [n.sql_database(layer) for layer in bp.catalog_layers],
        "endpoints": [endpoint_name(bp)],
    }


def provision(bp: Blueprint, endpoint: str, key: str, synapse_root: Path) -> StackRecord:
    n = AzureNames.of(bp)
    account = n.storage_account
    svc = blob.service(endpoint, account, key)
    for container in n.containers().values():
        blob.ensure_container(svc, container, bp.tags)
    catalogs = [n.sql_database(layer) for layer in bp.catalog_layers]
    catalog_file = synapse.catalog_file(synapse_root, account, endpoint_name(bp))
    synapse.ensure_catalogs(catalog_file, catalogs)
    return StackRecord(
        stack=bp.stack_name,
        cloud="azure",
        region=bp.region,
        cohort=bp.cohort,
        learner=bp.learner,
        identity=account,
        secret=key,
        resources=resources(bp),
        profile=profile_for(
            bp,
            endpoint=None,
            key_id=account,
            secret=key,
            sql_endpoint=endpoint_name(bp),
            sql_catalog=str(catalog_file),
        ),
    )


def remove(record: StackRecord, endpoint: str, synapse_root: Path) -> list[str]:
    """Delete every container of the learner's account and their SQL catalog."""
    svc = blob.service(endpoint, record.identity, record.secret)
    removed = blob.remove_containers(svc)
    synapse.remove_catalogs(synapse_root, record.identity)
    return removed


def missing(record: StackRecord, endpoint: str, synapse_root: Path) -> list[str]:
    """The recorded containers, SQL databases and endpoints that are gone (the account itself
    is configured into Azurite at every start)."""
    present = set(_containers(record, endpoint))
    present |= set(synapse.endpoints(synapse_root, record.identity))
    for name in synapse.endpoints(synapse_root, record.identity):
        present |= set(
            synapse.read_catalogs(synapse.catalog_file(synapse_root, record.identity, name))
        )
    kinds = ("containers", "databases", "endpoints")
    return [
        name for kind in kinds for name in record.resources.get(kind, []) if name not in present
    ]


def _containers(record: StackRecord, endpoint: str) -> dict[str, dict[str, str]]:
    svc = blob.service(endpoint, record.identity, record.secret)
    try:
        return blob.containers(svc)
    except Exception as exc:
        if getattr(exc, "status_code", 0) in (401, 403, 404):
            return {}
        raise


def inventory(record: StackRecord, endpoint: str, synapse_root: Path) -> dict[str, Any]:
    """The learner's Azure twin as Azurite and the catalog file report it."""
    svc = blob.service(endpoint, record.identity, record.secret)
    found = _containers(record, endpoint)
    layers = {layer: layer for layer in LAYERS if layer in found}
    tag_sets = [blob.decode_tags(meta) or {} for meta in found.values()]
    common = dict(tag_sets[0]) if tag_sets else {}
    for tags in tag_sets[1:]:
        common = {k: v for k, v in common.items() if tags.get(k) == v}
    names = synapse.endpoints(synapse_root, record.identity)
    catalogs: set[str] = set()
    for name in names:
        catalogs.update(
            synapse.read_catalogs(synapse.catalog_file(synapse_root, record.identity, name))
        )
    return {
        "stack": record.stack,
        "cloud": "azure",
        "layers": layers,
        "catalogs": sorted(catalogs),
        "workgroup": ",".join(names),
        "identity": {
            "name": record.identity if found else "",
            "storage": blob.reachable(svc),
            "catalogs": sorted(catalogs),
        },
        "tags": common,
    }
