"""The cloud-neutral part of naming: layers, lake purposes, name stems and the naming rules.

Each cloud's home (`lakelab.clouds.aws.names`, `lakelab.clouds.azure.names`) turns the stems
of `Names` into its physical names and checks them here with `check_name`, so a learner id
that cannot form a valid name on some cloud is refused before anything is provisioned.
Names are deterministic (the same blueprint always gives the same names) and unique per
cohort + learner. Globally scoped names (S3 buckets, storage accounts, Synapse workspaces) end in
a hash of the organisation's name seed, cohort and learner: with a public seed, another
organisation's cohort `demo` with a learner `alice` would ask for the very same bucket, so every
cloud stack names its own seed (`lakelab:nameSeed`, written by `lakelab cohort init`).

A layer keeps its own name in every target: the `bronze` layer is the `bronze` S3 bucket
suffix, the `bronze` ADLS filesystem, and the `<prefix>_bronze` catalog database.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Final, Literal

Layer = Literal["landing", "bronze", "silver", "gold", "quarantine"]
LAYERS: Final[tuple[Layer, ...]] = ("landing", "bronze", "silver", "gold", "quarantine")
# Layers that hold tables and therefore get a catalog database.
CATALOG_LAYERS: Final[tuple[Layer, ...]] = ("bronze", "silver", "gold")
# Layers whose raw history must survive overwrites.
VERSIONED_LAYERS: Final[tuple[Layer, ...]] = ("landing", "bronze")
# Quarantined rows expire after this many days on both clouds; the pipeline's own state under
# `quarantine/_lakelab/` (watermarks, run manifests) never expires.
QUARANTINE_RETENTION_DAYS: Final = 30
# What a lake holds besides the layers: query engine results and deployed job code.
LakePurpose = Literal["query-results", "artifacts"]
LAKE_PURPOSES: Final[tuple[LakePurpose, ...]] = ("query-results", "artifacts")
# The medallion stages a workload runs, in order.
STAGES: Final[tuple[str, ...]] = ("bronze", "silver", "gold")
# The pipeline step that registers the layers' tables in the learner's catalog.
CATALOG_STEP: Final = "catalog"
# The pipeline step that builds the shared dbt project (a Glue job of its own on AWS).
DBT_STEP: Final = "dbt"
# The catalog database the dbt step builds its marts in, `<prefix>_dbt` on every cloud: apart
# from the layers' databases, because a mart may share a stage table's name (both build
# `daily_sales`) and dbt replaces what it finds under its own name. The marts' files go under
# `_dbt/` in the gold layer, a folder the stages' catalog registration skips.
DBT_DATABASE: Final = "dbt"
DBT_FOLDER: Final = "_dbt"
# Every purpose with a catalog database of its own: the table layers, then dbt's marts.
CATALOG_PURPOSES: Final[tuple[str, ...]] = (*CATALOG_LAYERS, DBT_DATABASE)

PREFIX: Final = "ll"
# The public seed of the demo stacks (and of a stack that names none, which only the local twin
# runs). It is no secret, so a cloud stack must name its own organisation's seed.
DEMO_SEED: Final = "lakelab"

# Each rule: (pattern, min length, max length, what the cloud calls it).
_RULES: Final[dict[str, tuple[str, int, int]]] = {
    "s3 bucket": (r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", 3, 63),
    "storage account": (r"^[a-z0-9]+$", 3, 24),
    "synapse workspace": (r"^[a-z][a-z0-9-]*[a-z0-9]$", 1, 50),
    "data factory": (r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", 3, 63),
    "resource group": (r"^[a-zA-Z0-9._()-]*[a-zA-Z0-9_()-]$", 1, 90),
    "glue name": (r"^[a-z0-9_]+$", 1, 255),
    "athena workgroup": (r"^[a-z0-9_]+$", 1, 128),
    "iam name": (r"^[a-zA-Z0-9+=,.@_-]+$", 1, 64),
    "redshift name": (r"^[a-z0-9-]+$", 3, 64),
    "adls filesystem": (r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$", 3, 63),
}


class NameError_(ValueError):
    """A derived name breaks a cloud naming rule."""


def short_hash(*parts: str, length: int = 6) -> str:
    """A stable hex digest that makes globally scoped names unique across organisations."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def check_name(kind: str, name: str) -> None:
    pattern, low, high = _RULES[kind]
    if not low <= len(name) <= high:
        raise NameError_(f"{kind} name {name!r} has {len(name)} characters; allowed {low}-{high}")
    if not re.match(pattern, name) or "--" in name:
        raise NameError_(f"{kind} name {name!r} breaks the {kind} naming rules")
    if kind == "synapse workspace" and "-ondemand" in name:
        raise NameError_(f"synapse workspace name {name!r} may not contain '-ondemand'")


@dataclass(frozen=True)
class Names:
    """The stems every cloud's physical names are made of, for one learner's lab."""

    cohort: str
    learner: str
    seed: str = DEMO_SEED

    @property
    def slug(self) -> str:
        """`ll-<cohort>-<learner>`: the stem of hyphenated names."""
        return f"{PREFIX}-{self.cohort}-{self.learner}"

    @property
    def snake(self) -> str:
        """`<cohort>_<learner>`: the stem of catalog-style names (underscores only)."""
        return f"{self.cohort}_{self.learner}".replace("-", "_")

    @property
    def suffix(self) -> str:
        return short_hash(self.seed, self.cohort, self.learner)

    def hash(self, length: int) -> str:
        return short_hash(self.seed, self.cohort, self.learner, length=length)


def check_all(names: list[tuple[str, str]]) -> None:
    """Check (rule, name) pairs; the first broken rule raises `NameError_`."""
    for kind, name in names:
        check_name(kind, name)
