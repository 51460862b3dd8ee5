"""CrossGuard entry point: `pulumi preview --policy-pack policies`.

Only this file constructs the PolicyPack (constructing it starts the policy gRPC server).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.rules import ALL_POLICIES

PolicyPack(
    name="lakelab-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=ALL_POLICIES,
)
