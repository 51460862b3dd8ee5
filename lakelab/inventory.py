"""The logical inventory of a learner lab: what parity between the cloud stack and the local
twin is judged on (layers, catalogs, query workgroup, identity scope, tags).

`plan_inventory` reads it from the offline plan of the real Pulumi program;
`localcloud.inventory.twin_inventory` reads the same shape from the running emulators.
"""

from __future__ import annotations

from typing import Any

from lakelab.clouds import cloud_for
from lakelab.naming import LAYERS
from lakelab.plan import Plan, plan_stack


def inventory_of(plan: Plan) -> dict[str, Any]:
    out = plan.outputs
    identity, (tagged_type, tagged_name) = cloud_for(plan.cloud).plan_identity(plan)
    tagged = plan.named(tagged_type, tagged_name)
    return {
        "stack": plan.stack,
        "cloud": plan.cloud,
        "layers": {layer: out["lake"][layer]["name"] for layer in LAYERS},
        "catalogs": sorted(out["catalogs"].values()),
        "workgroup": out["query"]["workgroup"],
        "identity": identity,
        "tags": dict(sorted((tagged.tags or {}).items())),
    }


def plan_inventory(stack: str) -> dict[str, Any]:
    return inventory_of(plan_stack(stack))
