"""The offline plan: what `pulumi up` would create for a stack, without the Pulumi engine.

The real program (`infra.program`) runs under Pulumi's mock runtime. A recording monitor keeps
every resource registration (type, logical name, parent, inputs) and the program's outputs
(`lakelab.plan_recording`). Nothing here needs credentials or a network; values only a cloud
can know (ids, ARNs, endpoints) are filled with clearly fake, deterministic placeholders
(`lakelab.plan_fake_cloud`).

JSON form (`schema: lakelab.plan/v1`, `lakelab.plan_model`), stable and documented in
docs/plan-format.md:

    {"schema", "stack", "cloud", "project", "blueprint", "resources": [...], "outputs": {...},
     "summary": {"resources", "by_type"}}

Each resource: {"urn", "type", "name", "parent", "custom", "inputs", "tags"}. Inputs keep
the engine's camelCase property names, as CrossGuard policies see them. Secrets are
replaced by "[secret]".
"""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from lakelab.blueprint import Blueprint
from lakelab.plan_fake_cloud import FAKE_ACCOUNT, FAKE_SUBSCRIPTION, FAKE_TENANT, PlanMocks
from lakelab.plan_model import PROJECT, SCHEMA, Plan, PlannedResource
from lakelab.plan_recording import SECRET, RecordingMonitor, marked, redact, with_engine_urns
from lakelab.stackfiles import load_cloud_blueprint, read_config

__all__ = [
    "FAKE_ACCOUNT",
    "FAKE_SUBSCRIPTION",
    "FAKE_TENANT",
    "PROJECT",
    "SCHEMA",
    "SECRET",
    "Plan",
    "PlannedResource",
    "plan_blueprint",
    "plan_stack",
]


def _config_for_runtime(config: dict[str, Any]) -> dict[str, str]:
    """Stack-file config as the engine hands it to a program: strings, objects as JSON."""
    out: dict[str, str] = {}
    for key, value in config.items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        if isinstance(value, str):
            out[full] = value
        elif isinstance(value, bool):
            out[full] = "true" if value else "false"
        else:
            out[full] = json.dumps(value, default=str)
    return out


def plan_blueprint(bp: Blueprint, config: dict[str, Any]) -> Plan:
    """Run the program for one blueprint under the mock runtime and return what it declares.

    Runtime state is global, so stacks are planned one after another, each from a clean state.
    """
    from infra.program import build, read_blueprint

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    # A fresh loop per plan: futures from an earlier stack must never leak into this one.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    mocks = PlanMocks(bp)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.settings.ROOT.set(None)
    pulumi_mocks.set_mocks(
        mocks, project=PROJECT, stack=bp.stack_name, preview=False, monitor=monitor
    )
    if "lakelab:nameSeed" not in config and "nameSeed" not in config:
        # A blueprint no stack file holds (cost, compare) is named as the blueprint names it:
        # names do not change what a lab declares. `plan_stack` refuses a seedless file first.
        config = {**config, "lakelab:nameSeed": bp.names.seed}
    pulumi.runtime.set_all_config(_config_for_runtime(config), [])
    resolved: dict[str, Any] = {}

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def program() -> pulumi.Output[Any]:
        lab = build(read_blueprint())
        return pulumi.Output.from_input(marked(lab.outputs)).apply(lambda v: resolved.update(v))

    try:
        program()
    finally:
        asyncio.set_event_loop(None)
        loop.close()
        pulumi.runtime.set_all_config({}, [])
    return Plan(
        stack=bp.stack_name,
        cloud=bp.cloud,
        blueprint=bp.model_dump(mode="json", by_alias=True),
        resources=with_engine_urns(monitor.registrations, bp.stack_name),
        outputs=redact(resolved),
        dependencies=monitor.dependencies,
    )


def plan_stack(stack: str) -> Plan:
    """The offline plan of a stack config in stacks/ (validated first, with a clear error).
    It is the plan of a cloud stack, so the stack must name its organisation's seed."""
    return plan_blueprint(load_cloud_blueprint(stack), read_config(stack))
