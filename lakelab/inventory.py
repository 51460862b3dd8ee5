"""The logical inventory of a learner lab: what parity between the cloud stack and the local
twin is judged on (layers, catalogs, query workgroup, identity scope, tags).

`plan_inventory` reads it from the offline plan of the real Pulumi program;
`localcloud.inventory.twin_inventory` reads the same shape from the running emulators.
"""

from __future__ import annotations

import json
from typing import Any

from lakelab.naming import LAYERS
from lakelab.plan import Plan, plan_stack


def _policy_scope(plan: Plan) -> tuple[list[str], list[str]]:
    """Buckets and catalog databases the learner's IAM policy reaches."""
    policies = [
        r
        for r in plan.resources
        if r.type in ("aws:iam/userPolicy:UserPolicy", "aws:iam/rolePolicy:RolePolicy")
        and r.name == "learner-policy"
    ]
    buckets: set[str] = set()
    databases: set[str] = set()
    for r in policies:
        for statement in json.loads(r.inputs["policy"])["Statement"]:
            for arn in statement["Resource"]:
                if arn.startswith("arn:aws:s3:::") and "/" not in arn:
                    buckets.add(arn.removeprefix("arn:aws:s3:::"))
                elif ":database/" in arn:
                    databases.add(arn.split(":database/")[1])
    return sorted(buckets), sorted(databases)


def inventory_of(plan: Plan) -> dict[str, Any]:
    out = plan.outputs
    if plan.cloud == "aws":
        storage, catalogs = _policy_scope(plan)
        identity = {"name": out["identity"]["name"], "storage": storage, "catalogs": catalogs}
        tagged = plan.named("aws:iam/user:User", "learner")
    else:
        identity = {
            "name": out["identity"]["storage_account"],
            "storage": sorted(c["name"] for c in out["lake"].values()),
            "catalogs": sorted(out["catalogs"].values()),
        }
        tagged = plan.named("azure-native:resources:ResourceGroup", "group")
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
