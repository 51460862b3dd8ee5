"""The Pulumi program: read the stack config once, build the learner's lab, export outputs."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import pulumi

from lakelab.blueprint import (
    CONFIG_KEYS,
    CONFIG_NAMESPACE,
    Blueprint,
    BlueprintError,
    for_cloud,
    from_config,
)
from lakelab.clouds import checked, cloud_for

# pulumi-aws 7 warns on first use of aws.s3 about deprecated aliases we do not use.
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pulumi_aws.*")


def _all_config() -> dict[str, Any]:
    """Every config key the engine handed the program (the SDK keeps them in a ContextVar)."""
    holder = getattr(pulumi.runtime.config, "CONFIG", None)
    value = holder.get({}) if holder is not None else {}
    return dict(value) if isinstance(value, dict) else {}


def read_blueprint() -> Blueprint:
    """All `lakelab:*` config of the stack, validated. A bad config stops the program with
    one message naming each bad key, before any resource is declared."""
    config = pulumi.Config(CONFIG_NAMESPACE)
    raw: dict[str, Any] = {}
    for key in CONFIG_KEYS:
        value = config.get(key)
        if value is not None:
            raw[key] = value
    # Keys the blueprint does not know are reported too (typos would otherwise be ignored).
    everything = {**pulumi.runtime.get_config_env(), **_all_config()}
    prefix = f"{CONFIG_NAMESPACE}:"
    raw.update(
        {
            k: v
            for k, v in everything.items()
            if k.startswith(prefix) and k[len(prefix) :] not in raw
        }
    )
    try:
        return for_cloud(checked(from_config(raw)))
    except BlueprintError as exc:
        raise pulumi.RunError(f"invalid lakelab stack config:\n{exc}") from None


def build(bp: Blueprint) -> Any:
    """Declare the lab for the blueprint's cloud; returns the lab component."""
    # Each cloud's program is a package of its own with a `build(bp)`; only the chosen
    # cloud's SDK is imported.
    program = importlib.import_module(f"infra.{cloud_for(bp.cloud).name}.lab")
    return program.build(bp)


def main() -> None:
    lab = build(read_blueprint())
    for key, value in lab.outputs.items():
        pulumi.export(key, value)
