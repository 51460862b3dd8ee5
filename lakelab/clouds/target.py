"""The contract each cloud's home implements, and the lake every home provides.

Code outside `lakelab.clouds` never compares a cloud name with "aws" or "azure": it asks
`lakelab.clouds.cloud_for(name)` for the cloud's `CloudTarget` and calls it. Nothing here
imports a cloud SDK; each home imports its SDK inside the functions that need it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from lakelab.blueprint import Blueprint
from lakelab.naming import Names
from lakelab.profile import LearnerProfile
from lakelab.regions import Cloud

if TYPE_CHECKING:
    import fsspec

    from lakelab.catalog import TableSpec
    from lakelab.clouds.acceptance import Acceptance
    from lakelab.cohort.sweep import SweepReport
    from lakelab.lakefs import ByteCounter


@dataclass(frozen=True)
class ConceptMap:
    """What each part of a lab (a cloud-neutral concept name such as "Lake storage") is on
    one cloud: a label and the resource types that make it up, for `lakelab compare`."""

    labels: Mapping[str, str]
    types: Mapping[str, tuple[str, ...]]
    warehouse: Mapping[str, str]  # warehouse mode -> label
    other: str  # what lands in no concept
    named: tuple[tuple[str, str, str], ...] = ()  # (type, part of the name, concept) first

    def concept_of(self, type_: str, name: str) -> str | None:
        for t, part, concept in self.named:
            if type_ == t and part in name:
                return concept
        for concept, prefixes in self.types.items():
            if type_.startswith(prefixes):
                return concept
        return None


class PlanResource(Protocol):
    type: str
    name: str
    inputs: dict[str, Any]


class PlanLike(Protocol):
    """What a cloud home reads of an offline plan (`lakelab.plan.Plan`)."""

    @property
    def outputs(self) -> dict[str, Any]: ...

    @property
    def resources(self) -> list[Any]: ...


class Lake(Protocol):
    """A learner's lake reached with the learner's own credentials: objects per layer."""

    profile: LearnerProfile

    @property
    def stack(self) -> str: ...

    @property
    def cloud(self) -> Cloud: ...

    def location(self, layer: str) -> str:
        """The layer's name in its cloud: a bucket or a container."""

    def uri(self, layer: str, key: str = "") -> str:
        """The URI engines on the twin read (`s3://...`, `abfs://...`)."""

    def put(self, layer: str, key: str, data: bytes) -> None: ...

    def get(self, layer: str, key: str) -> bytes: ...

    def keys(self, layer: str, prefix: str = "") -> list[str]: ...

    def versions(self, layer: str) -> dict[str, str]:
        """key -> a token that changes whenever the object changes (ETag)."""

    def delete(self, layer: str, keys: list[str]) -> None: ...


class ProfileLake:
    """What every cloud's lake shares: it is its learner's profile, seen as layers."""

    def __init__(self, profile: LearnerProfile) -> None:
        self.profile = profile

    @property
    def stack(self) -> str:
        return self.profile.stack

    @property
    def cloud(self) -> Cloud:
        return self.profile.cloud

    def location(self, layer: str) -> str:
        return self.profile.location(layer)


class CloudTarget(Protocol):
    """One cloud as lakelab knows it."""

    # Read-only facts about the cloud (class constants in each home).
    @property
    def name(self) -> Cloud: ...

    @property
    def title(self) -> str: ...

    @property
    def regions(self) -> frozenset[str]: ...

    @property
    def region_config_key(self) -> str:
        """The provider's own config key for the region (`aws:region`, ...)."""

    @property
    def concepts(self) -> ConceptMap:
        """The lab's parts on this cloud, as `lakelab compare` maps them."""

    @property
    def default_region(self) -> str:
        """Where a lab planned only for pricing goes when no paired region is known."""

    @property
    def query_engine(self) -> str:
        """The engine the learner's SQL stands in for, as shown beside a query's bill."""

    @property
    def pipeline_kind(self) -> str:
        """What runs a learner's pipeline on this cloud, as an instructor calls it."""

    @property
    def workgroup_kind(self) -> str:
        """What the place a learner's queries run in is called (an inventory's row label)."""

    @property
    def query_title(self) -> str:
        """The learner's query engine, as an instructor calls it."""

    @property
    def sql_dialect(self) -> str:
        """The sqlglot dialect of that engine's SQL (what a learner writes on this cloud)."""

    @property
    def location_kind(self) -> str:
        """What the profile calls a layer's location in `LAKELAB_<KIND>_<LAYER>`."""

    @property
    def purposes(self) -> tuple[str, ...]:
        """Every purpose a location serves: the layers, then the lake purposes."""

    @property
    def principal(self) -> str | None:
        """What the learner's own directory identity is, when a lab on this cloud grants roles
        to it (`access.azurePrincipalId`, the roster's column); None when the lab creates the
        learner's identity itself."""

    def physical_names(self, names: Names) -> list[tuple[str, str]]:
        """(naming rule, name) for every name the lab uses on this cloud."""

    def stand_in_access(self) -> dict[str, str]:
        """`lakelab:access` values a plan on this cloud requires that a lab planned only for
        pricing (a counterpart, a course's reference learner) has no real value for."""

    def locations(self, bp: Blueprint) -> dict[str, str]:
        """purpose -> bucket or container."""

    def databases(self, bp: Blueprint) -> dict[str, str]:
        """catalog layer -> catalog database."""

    def plan_identity(self, plan: PlanLike) -> tuple[dict[str, Any], tuple[str, str]]:
        """From an offline plan: the learner identity's name and what its access reaches
        (`storage`, `catalogs`), and the (type, name) of the resource whose tags stand for
        the lab's."""

    def sdk_env(self, profile: LearnerProfile) -> dict[str, str]:
        """The variables this cloud's SDKs and CLIs read on their own."""

    def credentials_from_env(self, env: Mapping[str, str]) -> dict[str, Any]:
        """The profile fields `sdk_env` wrote (endpoint, key_id, secret, region)."""

    def lake(self, profile: LearnerProfile) -> Lake: ...

    def filesystem(
        self, profile: LearnerProfile, counter: ByteCounter
    ) -> fsspec.AbstractFileSystem:
        """An fsspec filesystem over the learner's lake that counts bytes read."""

    def plan_notes(self, bp: Blueprint) -> list[str]:
        """What an instructor should know before `pulumi up` of this blueprint that the
        offline plan cannot check (printed by `lakelab plan`)."""

    def account_warnings(self, bps: Sequence[Blueprint]) -> list[str]:
        """What the instructor's account lacks for these learners' stacks to work as intended
        (checked, never changed), as sentences for `lakelab cohort up`."""

    def register_tables(self, profile: LearnerProfile, specs: list[TableSpec]) -> int:
        """Register tables (and partitions) in the learner's catalog; returns the count."""

    def catalog_tables(self, profile: LearnerProfile) -> list[TableSpec]:
        """Every table of the learner's catalog databases."""

    def sweep(self, cohort: str, regions: set[str], learners: set[str] | None) -> SweepReport:
        """Find and delete what the cohort left on this cloud, by its tags: in `regions` (the
        cohort's stacks' regions), of `learners` only, or of the whole cohort when None."""

    def acceptance(self, bp: Blueprint, outputs: Mapping[str, Any]) -> Acceptance:
        """The deployed stack (its `pulumi stack output`), as `lakelab verify` drives it."""
