"""The sections of a blueprint (`lakelab:warehouse`, `spark`, `query`, `network`, `access`)
and the documented cloud limits each is checked against."""

from __future__ import annotations

import ipaddress
import re
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

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
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class Section(BaseModel):
    """A part of the config: camelCase keys, unknown keys refused, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class Warehouse(Section):
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


class Spark(Section):
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


class Query(Section):
    """Per-query guardrails of the query workgroup."""

    scan_cutoff_mb: int = Field(default=1024, ge=10)
    results_retention_days: int = Field(default=7, ge=1, le=365)


class Network(Section):
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


class Access(Section):
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
