"""What the offline plan records of each registration (`lakelab.plan`): a mock monitor that
keeps parents, raw inputs and dependencies; secrets redacted; the URNs the engine would give.

Secrets are marked as a provider marks them (`secret`) and shown as "[secret]" (`redact`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from lakelab.plan_model import PROJECT, PlannedResource

SECRET: Final = "[secret]"
_SECRET_NAME = re.compile(r"password|secret", re.IGNORECASE)
# Settings about a password, not the password itself.
_PASSWORD_SETTINGS: Final = frozenset({"passwordLength", "passwordResetRequired"})


def secret(value: Any) -> dict[str, Any]:
    """A value the engine would treat as secret (as a provider marks it)."""
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def redact(value: Any) -> Any:
    """Replace secrets with "[secret]": values marked secret, and, as a second guard, any
    property whose name says it holds a password or secret."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SECRET
        return {
            k: SECRET
            if _SECRET_NAME.search(k) and k not in _PASSWORD_SETTINGS and v is not None
            else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, pulumi.FileAsset):
        return {"asset": _relative(value.path)}
    if isinstance(value, pulumi.AssetArchive):
        return {"archive": sorted(value.assets)}
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return {"asset": type(value).__name__}
    return value


def _relative(path: str) -> str:
    from lakelab.stackfiles import project_root

    try:
        return Path(path).resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return path


def marked(value: Any) -> Any:
    """The outputs with each secret `Output` marked as the engine would store it, so the plan
    shows "[secret]" where `pulumi stack output` would (resolving an Output unwraps it)."""
    if isinstance(value, dict):
        return {k: marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [marked(v) for v in value]
    if isinstance(value, pulumi.Output):
        flag: pulumi.Output[bool] = pulumi.Output.from_input(value.is_secret())
        return pulumi.Output.all(value, flag).apply(
            lambda pair: secret(pair[0]) if pair[1] else pair[0]
        )
    return value


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Keeps each registration's parent and raw inputs, which `Mocks` does not see."""

    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[PlannedResource] = []
        self.dependencies: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            inputs = redact(rpc.deserialize_properties(request.object, keep_internal=False))
            tags = inputs.get("tags") if isinstance(inputs.get("tags"), dict) else None
            self.dependencies[(request.type, request.name)] = sorted(
                {_type_and_name(urn) for urn in request.dependencies}
            )
            self.registrations.append(
                PlannedResource(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent or None,
                    custom=bool(request.custom),
                    inputs=inputs,
                    tags=tags,
                )
            )
        return response


def _type_and_name(urn: str) -> tuple[str, str]:
    qualified, name = urn.split("::")[2:4]
    return qualified.split("$")[-1], name


def with_engine_urns(resources: list[PlannedResource], stack: str) -> list[PlannedResource]:
    """Give every resource the URN the engine would: `<ancestor types>$<type>::<name>`, the
    stack itself left out. The mock monitor only keeps the parent's last type."""
    by_key = {(r.type, r.name): r for r in resources}
    urns: dict[tuple[str, str], str] = {}

    def urn_of(r: PlannedResource) -> str:
        key = (r.type, r.name)
        if key not in urns:
            chain = r.type
            parent = by_key.get(_type_and_name(r.parent)) if r.parent else None
            if parent is not None:
                chain = f"{urn_of(parent).split('::')[2]}${r.type}"
            urns[key] = f"urn:pulumi:{stack}::{PROJECT}::{chain}::{r.name}"
        return urns[key]

    out = []
    # Stable order, parents before children: by depth, then URN.
    for r in sorted(resources, key=lambda r: (urn_of(r).split("::")[2].count("$"), urn_of(r))):
        parent = by_key.get(_type_and_name(r.parent)) if r.parent else None
        out.append(
            PlannedResource(
                urn=urn_of(r),
                type=r.type,
                name=r.name,
                parent=urn_of(parent) if parent else None,
                custom=r.custom,
                inputs=r.inputs,
                tags=r.tags,
            )
        )
    return out
