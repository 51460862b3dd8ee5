"""What the twin holds for a stack, read back from the emulators.

`twin_inventory(stack)` lists the learner's resources from the emulators' actual state, never
from the blueprint: S3 buckets and their tags, Glue databases and their tags, the Athena
workgroup, the IAM user's inline policy (parsed for the buckets and databases it reaches);
on Azure, the storage account's containers and their metadata, the serverless SQL catalog
file's schemas, and the containers the learner's own key can list.

The shape is the one `lakelab.inventory.plan_inventory` gives for the offline plan, so the two
compare with `==`:

    {"stack": str, "cloud": "aws" | "azure",
     "layers": {layer: bucket or container},
     "catalogs": [database, ...],                      # sorted
     "workgroup": str,                                 # Athena workgroup / SQL endpoint
     "identity": {"name": str,                         # IAM user / storage account
                  "storage": [bucket or container, ...],   # what the credential reaches
                  "catalogs": [database, ...]},
     "tags": {key: value}}                             # tags every resource carries

Membership is decided by the resources' own `cohort` and `learner` tags, so a resource that
lost its tags, or a tag that drifted on one resource, shows up as a difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localcloud import twin
from localcloud.clouds import twin_for


def twin_inventory(stack: str) -> dict[str, Any]:
    """The inventory of one stack, read from the running emulators."""
    return twin_inventories([stack])[0]


def twin_inventories(stacks: Sequence[str]) -> list[dict[str, Any]]:
    """The inventories of several stacks; listings shared by several (a region's buckets)
    are read once for all."""
    caches: dict[str, dict[str, Any]] = {}
    found: list[dict[str, Any]] = []
    for stack in stacks:
        paths, state, record = twin.record_of(stack)
        cache = caches.setdefault(record.cloud, {})
        found.append(twin_for(record.cloud).inventory(paths, state, record, cache))
    return found
