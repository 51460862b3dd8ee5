"""The cloud registry: the one place that turns a cloud's name into its home.

    from lakelab.clouds import cloud_for
    target = cloud_for(bp.cloud)          # an AwsTarget or an AzureTarget
    target.locations(bp)                   # {"bronze": "ll-demo-alice-bronze-f9ebc2", ...}

Everything lakelab knows about a cloud as a target lives in its package (`lakelab.clouds.aws`,
`lakelab.clouds.azure`) behind the `CloudTarget` protocol. Code elsewhere asks this registry
and never compares a cloud name itself. A new cloud is a new package plus one line here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lakelab.blueprint import Blueprint, BlueprintError
from lakelab.clouds.aws import TARGET as AWS
from lakelab.clouds.azure import TARGET as AZURE
from lakelab.clouds.target import CloudTarget, Lake
from lakelab.errors import UserError
from lakelab.naming import NameError_, Names, check_all
from lakelab.profile import CLOUD, LearnerProfile
from lakelab.regions import CLOUDS, Cloud

__all__ = ["CloudTarget", "Lake", "all_targets", "checked", "cloud_for"]

_TARGETS: dict[str, CloudTarget] = {AWS.name: AWS, AZURE.name: AZURE}
assert tuple(_TARGETS) == CLOUDS, "every cloud in lakelab.regions has a home here"


def cloud_for(name: str) -> CloudTarget:
    try:
        return _TARGETS[name]
    except KeyError:
        known = ", ".join(_TARGETS)
        raise UserError(f"unknown cloud {name!r}; known: {known}") from None


def all_targets() -> tuple[CloudTarget, ...]:
    return tuple(_TARGETS.values())


def check_names(names: Names) -> None:
    """Refuse a learner whose names break a naming rule on any cloud (`NameError_`): a
    learner's lab must be able to exist on every cloud, so that AWS and Azure builds compare."""
    for target in all_targets():
        check_all(target.physical_names(names))


def checked(bp: Blueprint) -> Blueprint:
    """`bp`, once it names the learner's principal where its cloud needs one and its physical
    names are valid on every cloud (else `BlueprintError`)."""
    target = cloud_for(bp.cloud)
    if target.principal is not None and not bp.access.azure_principal_id:
        raise BlueprintError(
            f"lakelab:access.azurePrincipalId: an {target.title} lab needs {target.principal}"
        )
    try:
        check_names(bp.names)
    except NameError_ as exc:
        raise BlueprintError(f"lakelab:learner: cannot form valid cloud names: {exc}") from None
    return bp


# --- learner profiles -------------------------------------------------------------------------
def profile_for(
    bp: Blueprint, *, endpoint: str | None, key_id: str, secret: str, **query: str | None
) -> LearnerProfile:
    """The profile of a learner's lab from its blueprint: names come from the cloud's home."""
    target = cloud_for(bp.cloud)
    return LearnerProfile(
        stack=bp.stack_name,
        cloud=bp.cloud,
        cohort=bp.cohort,
        learner=bp.learner,
        region=bp.region,
        endpoint=endpoint,
        key_id=key_id,
        secret=secret,
        locations=target.locations(bp),
        databases=target.databases(bp),
        **query,
    )


def profile_env(profile: LearnerProfile) -> dict[str, str]:
    """Every variable of a profile: lakelab's own, then the cloud SDKs'."""
    target = cloud_for(profile.cloud)
    return profile.lakelab_env(target.location_kind) | target.sdk_env(profile)


def profile_from_env(env: Mapping[str, str]) -> LearnerProfile:
    """The inverse of `profile_env` (after `eval "$(lakelab local env ...)"`)."""
    if env.get(CLOUD) not in _TARGETS:
        LearnerProfile.lakelab_fields(env, "", ())  # raises the "no learner profile" error
        raise UserError(f"unknown cloud {env.get(CLOUD)!r} in {CLOUD}")
    target = cloud_for(env[CLOUD])
    fields: dict[str, Any] = LearnerProfile.lakelab_fields(
        env, target.location_kind, target.purposes
    )
    credentials = target.credentials_from_env(env)
    region = credentials.pop("region", None) or fields["region"]
    return LearnerProfile.model_validate(fields | credentials | {"region": region})


def lake_of(profile: LearnerProfile) -> Lake:
    return cloud_for(profile.cloud).lake(profile)


def cloud_of(name: str) -> Cloud:
    return cloud_for(name).name
