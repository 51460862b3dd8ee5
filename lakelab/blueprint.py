"""The cloud-neutral blueprint of one learner's lab.

A blueprint is read from a Pulumi stack config (`lakelab:*` keys, camelCase) and validated
here, once, before any resource is declared. Everything downstream (the AWS and Azure
programs, the offline plan, the local twin, cost and compare) works from a `Blueprint`.

Invalid input raises `BlueprintError` with one message that names every bad field by its
config key, so an instructor can fix a stack file without reading a traceback.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from lakelab.naming import CATALOG_LAYERS, DEMO_SEED, LAYERS, Layer, Names
from lakelab.regions import REGIONS, Cloud

CONFIG_NAMESPACE: Final = "lakelab"
MANAGED_BY: Final = "lakelab"

# Glue's flexible execution class takes these worker types only (Glue job API, ExecutionClass).
FLEX_WORKERS: Final = ("G.1X", "G.2X")
# G.025X (a quarter DPU) runs Glue streaming jobs only; the lab's jobs are batch (glueetl).
STREAMING_ONLY_WORKERS: Final = ("G.025X",)

# Documented cloud limits. A value outside them would be refused by the cloud at `up`, so the
# blueprint refuses it first, naming the key and the limit. Where the clouds differ, the lower
# limit applies: a blueprint is cloud-neutral and a learner's lab must deploy on either.
# Redshift Serverless base capacity: 4 RPU, or 8 to 512 in steps of 8 (Redshift management
# guide, "Compute capacity for Amazon Redshift Serverless"; 1024 only in a few regions).
RPU_SMALLEST: Final = 4
RPU_STEP: Final = 8
RPU_MAX: Final = 512
# Azure consumption budgets take at most five notifications; lakelab adds one forecast alert
# to the learner's actual-spend thresholds (infra/*/budget.py), leaving four.
BUDGET_NOTIFICATIONS_MAX: Final = 5
LAKELAB_FORECAST_ALERTS: Final = 1
ALERT_THRESHOLDS_MAX: Final = BUDGET_NOTIFICATIONS_MAX - LAKELAB_FORECAST_ALERTS
# Synapse Spark pools: at least 3 nodes (a head and two workers), autoscale up to 200
# ("Apache Spark pool configurations in Azure Synapse Analytics").
SPARK_POOL_MIN_NODES: Final = 3
SPARK_POOL_MAX_NODES: Final = 200
# Synapse dedicated SQL pool service levels (Gen2), DW100c to DW30000c
# ("Memory and concurrency limits for dedicated SQL pool").
DEDICATED_SKUS: Final = (
    "DW100c", "DW200c", "DW300c", "DW400c", "DW500c", "DW1000c", "DW1500c", "DW2000c",
    "DW2500c", "DW3000c", "DW5000c", "DW6000c", "DW7500c", "DW10000c", "DW15000c", "DW30000c",
)  # fmt: skip
_SLUG_HELP = "lowercase letters, digits and single hyphens, starting with a letter"
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_SEED = re.compile(r"[A-Za-z0-9_-]{6,64}")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class BlueprintError(ValueError):
    """A stack config that cannot describe a valid lab. The message names each bad key."""


def _slug(value: str, max_len: int, what: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", value):
        raise ValueError(f"{what} {value!r} must use {_SLUG_HELP}, and not end with a hyphen")
    if len(value) > max_len:
        raise ValueError(f"{what} {value!r} is {len(value)} characters; at most {max_len}")
    return value


class _Section(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class Warehouse(_Section):
    """The query warehouse. `serverless` is Redshift Serverless on AWS and the built-in
    serverless SQL pool on Azure; `provisioned` is a Redshift cluster on AWS and a paused
    Synapse dedicated SQL pool on Azure."""

    mode: Literal["none", "serverless", "provisioned"] = "serverless"
    # The smallest base capacity (for warehouses under 32 TB: a lab's is megabytes).
    base_capacity_rpu: int = RPU_SMALLEST
    usage_limit_rpu_hours: int = Field(default=24, ge=1)
    node_type: str = "ra3.large"
    node_count: int = Field(default=1, ge=1, le=32)
    dedicated_sku: str = "DW100c"
    # An existing VPC for Redshift Serverless (AWS): its subnets and security groups. Empty:
    # the workgroup uses the account's default VPC, which the account must then have.
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()

    @field_validator("subnet_ids")
    @classmethod
    def _subnets(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [s for s in v if not re.fullmatch(r"subnet-[0-9a-f]{8}([0-9a-f]{9})?", s)]
        if bad:
            raise ValueError(f"not subnet ids (subnet-0123abcd...): {', '.join(bad)}")
        return v

    @field_validator("security_group_ids")
    @classmethod
    def _groups(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [g for g in v if not re.fullmatch(r"sg-[0-9a-f]{8}([0-9a-f]{9})?", g)]
        if bad:
            raise ValueError(f"not security group ids (sg-0123abcd...): {', '.join(bad)}")
        return v

    @field_validator("base_capacity_rpu")
    @classmethod
    def _rpu_step(cls, v: int) -> int:
        if v != RPU_SMALLEST and not (RPU_STEP <= v <= RPU_MAX and v % RPU_STEP == 0):
            raise ValueError(
                f"Redshift Serverless base capacity is {RPU_SMALLEST} RPU, or {RPU_STEP} to"
                f" {RPU_MAX} in steps of {RPU_STEP}; got {v}"
            )
        return v

    @field_validator("dedicated_sku")
    @classmethod
    def _dw_sku(cls, v: str) -> str:
        if v not in DEDICATED_SKUS:
            raise ValueError(
                f"{v!r} is not a Synapse dedicated SQL pool service level"
                f" ({', '.join(DEDICATED_SKUS)})"
            )
        return v


class Spark(_Section):
    """Spark capacity: Glue workers on AWS, a Synapse Spark pool on Azure."""

    min_nodes: int = 3
    max_nodes: int = 4
    node_size: Literal["Small", "Medium", "Large"] = "Small"
    auto_pause_minutes: int = Field(default=15, ge=5, le=10080)
    glue_workers: int = Field(default=2, ge=2, le=100)
    glue_worker_type: Literal["G.025X", "G.1X", "G.2X", "G.4X"] = "G.1X"
    # FLEX runs batch jobs on spare capacity at a lower DPU-hour price; a run may start later.
    glue_execution_class: Literal["STANDARD", "FLEX"] = "STANDARD"

    @field_validator("min_nodes", "max_nodes")
    @classmethod
    def _pool_nodes(cls, v: int) -> int:
        if not SPARK_POOL_MIN_NODES <= v <= SPARK_POOL_MAX_NODES:
            raise ValueError(
                f"a Synapse Spark pool has {SPARK_POOL_MIN_NODES} to {SPARK_POOL_MAX_NODES}"
                f" nodes; got {v}"
            )
        return v

    @field_validator("glue_worker_type")
    @classmethod
    def _batch_worker(cls, v: str) -> str:
        if v in STREAMING_ONLY_WORKERS:
            raise ValueError(
                f"{v} workers run Glue streaming jobs only; the lab's batch jobs take G.1X,"
                " G.2X or G.4X"
            )
        return v

    @model_validator(mode="after")
    def _range(self) -> Spark:
        if self.min_nodes > self.max_nodes:
            raise ValueError("spark.minNodes must not exceed spark.maxNodes")
        if self.glue_execution_class == "FLEX" and self.glue_worker_type not in FLEX_WORKERS:
            raise ValueError(
                f"spark.glueExecutionClass: FLEX runs on {' or '.join(FLEX_WORKERS)} workers,"
                f" not {self.glue_worker_type}"
            )
        return self


class Query(_Section):
    """Per-query guardrails of the query workgroup."""

    scan_cutoff_mb: int = Field(default=1024, ge=10)
    results_retention_days: int = Field(default=7, ge=1, le=365)


class Network(_Section):
    allowed_ip_ranges: tuple[str, ...] = ()

    @field_validator("allowed_ip_ranges")
    @classmethod
    def _cidrs(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in v:
            try:
                net = ipaddress.ip_network(cidr, strict=True)
            except ValueError as exc:
                raise ValueError(f"{cidr!r} is not an IPv4 CIDR range ({exc})") from None
            if net.version != 4:
                raise ValueError(f"{cidr!r} is IPv6; firewalls here take IPv4 ranges")
            if net.prefixlen == 0:
                raise ValueError(f"{cidr!r} opens the firewall to the whole internet")
        return v


class Access(_Section):
    """Who the learner is in each cloud, and the storage exposure guardrail."""

    identity: Literal["user", "role"] = "user"
    # With identity=role: the SSO principal allowed to assume the learner role.
    sso_principal_arn: str | None = None
    # Azure: the learner's Entra ID object id, granted roles on their resource group.
    azure_principal_id: str | None = None
    # AWS, identity=user: a console password (a secret stack output, reset at first sign-in)
    # and, when wanted, an access key for the CLI and SDKs (also a secret output).
    console_password: bool = True
    access_key: bool = False
    block_public_access: bool = True

    @field_validator("azure_principal_id")
    @classmethod
    def _guid(cls, v: str | None) -> str | None:
        if v is not None and not _GUID.fullmatch(v.lower()):
            raise ValueError(f"{v!r} is not an Entra ID object id (a GUID)")
        return v.lower() if v else v

    @field_validator("sso_principal_arn")
    @classmethod
    def _arn(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"arn:aws:(iam|sts)::\d{12}:[\w+=,.@/-]+", v):
            raise ValueError(f"{v!r} is not an IAM principal ARN")
        return v


class Blueprint(_Section):
    """One learner's lab on one cloud."""

    cohort: str
    learner: str
    course: str
    cloud: Cloud
    region: str
    expires: date
    email: str
    budget_usd: float
    # The organisation's name seed; no default: a cloud stack must name one (`for_cloud`).
    name_seed: str | None = None
    alert_thresholds_pct: tuple[int, ...] = (50, 80, 100)
    warehouse: Warehouse = Warehouse()
    spark: Spark = Spark()
    query: Query = Query()
    network: Network = Network()
    access: Access = Access()

    @field_validator("cohort")
    @classmethod
    def _cohort(cls, v: str) -> str:
        return _slug(v, 12, "cohort")

    @field_validator("learner")
    @classmethod
    def _learner(cls, v: str) -> str:
        return _slug(v, 20, "learner id")

    @field_validator("course")
    @classmethod
    def _course(cls, v: str) -> str:
        return _slug(v, 40, "course")

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        if not _EMAIL.fullmatch(v) or ".." in v:
            raise ValueError(f"{v!r} is not a valid email address")
        return v

    @field_validator("budget_usd")
    @classmethod
    def _budget(cls, v: float) -> float:
        # The ceiling a learner's budget may have is the organisation's (policies/org-policy.yaml).
        if not v > 0:
            raise ValueError(f"budget must be more than 0 USD, got {v:g}")
        return v

    @field_validator("name_seed")
    @classmethod
    def _seed(cls, v: str | None) -> str | None:
        if v is not None and not _SEED.fullmatch(v):
            raise ValueError(
                f"name seed {v[:20]!r} must be 6-64 letters, digits, '-' or '_'"
                " (`lakelab cohort init` writes one)"
            )
        return v

    @field_validator("alert_thresholds_pct")
    @classmethod
    def _thresholds(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v or any(not 0 < t <= 200 for t in v):
            raise ValueError("alert thresholds are percentages between 1 and 200")
        distinct = tuple(sorted(set(v)))
        if len(distinct) > ALERT_THRESHOLDS_MAX:
            raise ValueError(
                f"at most {ALERT_THRESHOLDS_MAX} thresholds, got {len(distinct)}: an Azure budget"
                f" takes {BUDGET_NOTIFICATIONS_MAX} notifications and lakelab adds"
                f" {LAKELAB_FORECAST_ALERTS} forecast alert"
            )
        return distinct

    @model_validator(mode="after")
    def _cross_field(self) -> Blueprint:
        if self.region not in REGIONS[self.cloud]:
            known = ", ".join(sorted(REGIONS[self.cloud]))
            raise ValueError(f"region: unknown {self.cloud} region {self.region!r}; known: {known}")
        if self.access.identity == "role" and not self.access.sso_principal_arn:
            raise ValueError("access.ssoPrincipalArn is required when access.identity is 'role'")
        if self.access.identity == "role" and self.access.access_key:
            raise ValueError(
                "access.accessKey needs access.identity 'user'; a role's learner signs in"
                " through their SSO principal"
            )
        # Physical names and the learner's principal, where a cloud needs one, are checked by
        # each cloud's home (`lakelab.clouds.checked`).
        return self

    # --- derived, read-only views ----------------------------------------------------------
    @property
    def names(self) -> Names:
        """The stems of the lab's physical names (each cloud's names: `lakelab.clouds`)."""
        return Names(self.cohort, self.learner, self.name_seed or DEMO_SEED)

    @property
    def stack_name(self) -> str:
        return f"{self.cohort}-{self.learner}-{self.cloud}"

    @property
    def layers(self) -> tuple[Layer, ...]:
        return LAYERS

    @property
    def catalog_layers(self) -> tuple[Layer, ...]:
        return CATALOG_LAYERS

    @property
    def tags(self) -> dict[str, str]:
        """The tags every taggable resource carries, on both clouds."""
        return {
            "cohort": self.cohort,
            "learner": self.learner,
            "course": self.course,
            "expires": self.expires.isoformat(),
            "managed-by": MANAGED_BY,
        }

    def is_expired(self, today: date | None = None) -> bool:
        return self.expires < (today or date.today())


def for_cloud(bp: Blueprint, where: str = "") -> Blueprint:
    """`bp` when it may be deployed to its cloud: it names its organisation's name seed.
    Without one its global names would be the public demo seed's, which any other organisation
    can claim first. `where` prefixes the message (the stack file's name)."""
    if bp.name_seed is None:
        raise BlueprintError(
            f"{where}{CONFIG_NAMESPACE}:nameSeed is missing: a cloud stack needs your"
            " organisation's name seed, or its bucket and account names can collide with another"
            " organisation's; `lakelab cohort init` writes it into every stack it generates (and"
            " keeps it in stacks/.name-seed): copy `lakelab:nameSeed` from there into this file,"
            " or make one with `python -c 'import secrets; print(secrets.token_hex(16))'`"
        )
    return bp


# The top-level `lakelab:<key>` names a stack config may set.
CONFIG_KEYS: Final[tuple[str, ...]] = tuple(
    field.alias or name for name, field in Blueprint.model_fields.items()
)


def _decode(value: Any) -> Any:
    """Pulumi hands structured config to programs as JSON text; accept both forms."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _key_of(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if not parts:
        return f"{CONFIG_NAMESPACE}:<config>"
    top = to_camel(parts[0]) if "_" in parts[0] else parts[0]
    rest = "".join(f".{to_camel(p) if '_' in p else p}" for p in parts[1:])
    return f"{CONFIG_NAMESPACE}:{top}{rest}"


def _format(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        msg = str(err["msg"]).removeprefix("Value error, ")
        loc = err["loc"]
        if not loc and ":" in msg.split(" ", 1)[0]:
            # A cross-field check names its own key ("region: ...").
            field, _, msg = msg.partition(": ")
            loc = tuple(field.split("."))
        if err["type"] == "extra_forbidden":
            msg = "is not a lakelab setting (check the spelling)"
        elif err["type"] == "missing":
            msg = "is required"
        lines.append(f"{_key_of(tuple(loc))}: {msg}")
    return "\n".join(lines)


def from_config(
    config: Mapping[str, Any], *, today: date | None = None, allow_expired: bool = False
) -> Blueprint:
    """Build a blueprint from stack config.

    `config` maps either full keys (`lakelab:learner`, as in a stack file) or bare keys
    (`learner`). Keys of other namespaces (`aws:region`) are ignored.
    """
    values: dict[str, Any] = {}
    for key, value in config.items():
        ns, sep, bare = key.partition(":")
        if sep and ns != CONFIG_NAMESPACE:
            continue
        values[bare if sep else key] = _decode(value)
    try:
        bp = Blueprint.model_validate(values)
    except ValidationError as exc:
        raise BlueprintError(_format(exc)) from None
    if not allow_expired and bp.is_expired(today):
        raise BlueprintError(
            f"{CONFIG_NAMESPACE}:expires: {bp.expires.isoformat()} is in the past;"
            " a lab must expire after today"
        )
    return bp
