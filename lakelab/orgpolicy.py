"""The organisation's caps on learner labs: `policies/org-policy.yaml`.

Two kinds of limit guard a lab. Limits a cloud imposes (a Spark pool has at most 200 nodes)
are facts: the blueprint refuses a stack config beyond them (`lakelab.blueprint`). Caps an
organisation chooses (at most 10 nodes, $100 a month) are policy: they live here, in one file
with defaults, and the CrossGuard pack (`policies/rules.py`) reports every resource beyond
them. A cap is itself checked against the blueprint's cloud limits, so an org file can never
allow what a cloud would refuse.

The file is `LAKELAB_ORG_POLICY` when set, else `policies/org-policy.yaml` under
`LAKELAB_HOME`, else the repository's. A missing file or key keeps the default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from lakelab import blueprint as limits
from lakelab.errors import UserError
from lakelab.settings import Settings

FILE_NAME: Final = "org-policy.yaml"
# What the blueprint accepts: a cap can narrow these, never widen them.
_SPARK_NODE_SIZES: Final = get_args(limits.Spark.model_fields["node_size"].annotation)
_GLUE_WORKER_TYPES: Final = tuple(
    w
    for w in get_args(limits.Spark.model_fields["glue_worker_type"].annotation)
    if w not in limits.STREAMING_ONLY_WORKERS
)


class OrgPolicyError(UserError):
    """An org policy file that cannot be read, or that allows what a cloud refuses."""


class _Section(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class BudgetCaps(_Section):
    max_usd: float = Field(default=100, gt=0)


class LabCaps(_Section):
    max_days: int = Field(default=1461, ge=1)


class WarehouseCaps(_Section):
    max_base_rpu: int = Field(default=8, ge=limits.RPU_SMALLEST, le=limits.RPU_MAX)
    max_capacity_rpu: int = Field(default=16, ge=limits.RPU_SMALLEST)
    max_weekly_rpu_hours: float = Field(default=48, gt=0)
    redshift_node_types: tuple[str, ...] = ("ra3.large", "ra3.xlplus")
    max_redshift_nodes: int = Field(default=2, ge=1)
    max_dedicated_dwu: int = 100

    @field_validator("max_dedicated_dwu")
    @classmethod
    def _dwu(cls, v: int) -> int:
        if f"DW{v}c" not in limits.DEDICATED_SKUS:
            known = ", ".join(s[2:-1] for s in limits.DEDICATED_SKUS)
            raise ValueError(f"{v} is not a dedicated SQL pool service level ({known})")
        return v


class SparkCaps(_Section):
    max_pool_nodes: int = Field(
        default=10, ge=limits.SPARK_POOL_MIN_NODES, le=limits.SPARK_POOL_MAX_NODES
    )
    pool_node_sizes: tuple[str, ...] = ("Small", "Medium")
    max_auto_pause_minutes: int = Field(default=15, ge=5)
    max_glue_workers: int = Field(default=4, ge=2)
    glue_worker_types: tuple[str, ...] = ("G.1X",)

    @field_validator("pool_node_sizes")
    @classmethod
    def _sizes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in v if s not in _SPARK_NODE_SIZES]
        if unknown or not v:
            raise ValueError(f"node sizes are some of {', '.join(_SPARK_NODE_SIZES)}; got {v}")
        return v

    @field_validator("glue_worker_types")
    @classmethod
    def _workers(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [w for w in v if w not in _GLUE_WORKER_TYPES]
        if unknown or not v:
            raise ValueError(
                f"batch worker types are some of {', '.join(_GLUE_WORKER_TYPES)}; got {v}"
            )
        return v


class QueryCaps(_Section):
    max_scan_cutoff_gb: float = Field(default=10, gt=0)


class NetworkCaps(_Section):
    max_firewall_addresses: int = Field(default=65536, ge=1, le=2**32)


class OrgPolicy(_Section):
    budget: BudgetCaps = BudgetCaps()
    lab: LabCaps = LabCaps()
    warehouse: WarehouseCaps = WarehouseCaps()
    spark: SparkCaps = SparkCaps()
    query: QueryCaps = QueryCaps()
    network: NetworkCaps = NetworkCaps()

    def rows(self) -> list[tuple[str, Any]]:
        """(key, value) for every cap, as the file spells keys."""
        out: list[tuple[str, Any]] = []
        for section, caps in self.model_dump(by_alias=True).items():
            for key, value in caps.items():
                out.append((f"{section}.{key}", value))
        return out


def default_file() -> Path:
    home = Settings.current().home
    if home is not None and (home / "policies" / FILE_NAME).is_file():
        return home / "policies" / FILE_NAME
    return Path(__file__).resolve().parent.parent / "policies" / FILE_NAME


def policy_file() -> Path:
    return Settings.current().org_policy_file or default_file()


def _key(loc: tuple[int | str, ...]) -> str:
    return ".".join(
        to_camel(str(p)) if "_" in str(p) else str(p) for p in loc if isinstance(p, str)
    )


def parse_org_policy(doc: Any, source: str) -> OrgPolicy:
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise OrgPolicyError(f"{source}: expected a mapping of sections (budget, lab, ...)")
    try:
        return OrgPolicy.model_validate(doc)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "is not an org policy setting (check the spelling)"
            problems.append(f"{_key(tuple(err['loc']))}: {msg}")
        raise OrgPolicyError(f"{source}: " + "; ".join(problems)) from None


_cache: dict[tuple[str, int], OrgPolicy] = {}


def load_org_policy(path: Path | None = None) -> OrgPolicy:
    """The org policy in force (the defaults when there is no file). Re-read when it changes."""
    path = path or policy_file()
    if not path.is_file():
        if Settings.current().org_policy_file is not None:
            raise OrgPolicyError(f"no org policy file {path}")
        return OrgPolicy()
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _cache:
        try:
            doc = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise OrgPolicyError(f"{path.name}: not valid YAML ({exc})") from None
        _cache[key] = parse_org_policy(doc, path.name)
    return _cache[key]
