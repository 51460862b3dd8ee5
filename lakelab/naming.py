"""Every physical resource name of a learner lab, and each cloud's naming rules.

This module is the only place that turns (cohort, learner) into cloud names. Names are
deterministic (the same blueprint always gives the same names), unique per cohort + learner,
and checked against each cloud's rules by `check_names`, so a learner id that cannot form a
valid name is refused before anything is provisioned.

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
# The medallion stages a workload runs, in order.
STAGES: Final[tuple[str, ...]] = ("bronze", "silver", "gold")

PREFIX: Final = "ll"

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
    """All physical names for one learner's lab, on both clouds."""

    cohort: str
    learner: str
    seed: str = "lakelab"

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

    # --- AWS -------------------------------------------------------------------------------
    def bucket(self, purpose: str) -> str:
        """S3 bucket for a layer or for `query-results` / `artifacts`."""
        return f"{self.slug}-{purpose}-{self.suffix}"

    def glue_database(self, layer: str) -> str:
        return f"{self.snake}_{layer}"

    def glue_job(self, stage: str) -> str:
        return f"{self.snake}_{stage}_job"

    @property
    def glue_crawler(self) -> str:
        return f"{self.snake}_bronze_crawler"

    @property
    def glue_workflow(self) -> str:
        return f"{self.snake}_medallion"

    def glue_trigger(self, stage: str) -> str:
        return f"{self.snake}_{stage}_trigger"

    @property
    def athena_workgroup(self) -> str:
        return f"{self.snake}_wg"

    @property
    def iam_user(self) -> str:
        return self.slug

    @property
    def glue_role(self) -> str:
        return f"{self.slug}-glue"

    @property
    def redshift_namespace(self) -> str:
        return f"{self.slug}-ns"

    @property
    def redshift_workgroup(self) -> str:
        return f"{self.slug}-wg"

    @property
    def redshift_cluster(self) -> str:
        return f"{self.slug}-dw"

    @property
    def budget(self) -> str:
        return f"{self.slug}-budget"

    # --- Azure -----------------------------------------------------------------------------
    @property
    def resource_group(self) -> str:
        return f"rg-{self.slug}"

    @property
    def storage_account(self) -> str:
        stem = f"{PREFIX}{self.cohort}{self.learner}".replace("-", "")
        return f"{stem[:16]}{short_hash(self.seed, self.cohort, self.learner, length=8)}"

    def filesystem(self, purpose: str) -> str:
        """ADLS Gen2 filesystem (container): the layer name itself, the same in every target."""
        return purpose

    @property
    def synapse_workspace(self) -> str:
        return f"{self.slug}-syn-{self.suffix}"

    @property
    def synapse_spark_pool(self) -> str:
        # Spark pool names: letters and digits only, at most 15 characters.
        return "medallion"

    @property
    def synapse_sql_pool(self) -> str:
        return "warehouse"

    @property
    def data_factory(self) -> str:
        return f"{self.slug}-adf-{self.suffix}"

    @property
    def managed_resource_group(self) -> str:
        return f"rg-{self.slug}-synapse-managed"

    # --- checks ----------------------------------------------------------------------------
    def all_names(self) -> list[tuple[str, str]]:
        """(rule, name) for every name a lab uses, on both clouds."""
        names: list[tuple[str, str]] = [
            ("s3 bucket", self.bucket(p)) for p in (*LAYERS, "query-results", "artifacts")
        ]
        names += [("glue name", self.glue_database(layer)) for layer in CATALOG_LAYERS]
        names += [("glue name", self.glue_job(s)) for s in STAGES]
        names += [("glue name", self.glue_trigger(s)) for s in STAGES]
        names += [
            ("glue name", self.glue_crawler),
            ("glue name", self.glue_workflow),
            ("athena workgroup", self.athena_workgroup),
            ("iam name", self.iam_user),
            ("iam name", self.glue_role),
            ("redshift name", self.redshift_namespace),
            ("redshift name", self.redshift_workgroup),
            ("redshift name", self.redshift_cluster),
            ("resource group", self.resource_group),
            ("resource group", self.managed_resource_group),
            ("storage account", self.storage_account),
            ("synapse workspace", self.synapse_workspace),
            ("data factory", self.data_factory),
        ]
        names += [("adls filesystem", self.filesystem(p)) for p in (*LAYERS, "artifacts")]
        return names

    def check(self) -> None:
        for kind, name in self.all_names():
            check_name(kind, name)
