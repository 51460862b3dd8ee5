"""What every lakelab rule shares: the resource types it reads, the organisation's caps,
reading a value that may not be known during a preview, and the findings a rule reports.

A rule never passes on a value it cannot see: `known` raises `Undecided`, and the rule's
findings record it for the advisory policy `undecided-during-preview`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy import (
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from lakelab.orgpolicy import OrgPolicy, load_org_policy

Report = Callable[[str, str | None], None]


REQUIRED_TAGS: Final = ("cohort", "learner", "course", "expires", "managed-by")
# Resource types that accept tags. A test checks this list against the SDKs' argument lists.
TAGGABLE_TYPES: Final = frozenset(
    {
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "aws:glue/catalogDatabase:CatalogDatabase",
        "aws:glue/crawler:Crawler",
        "aws:glue/job:Job",
        "aws:glue/workflow:Workflow",
        "aws:glue/trigger:Trigger",
        "aws:athena/workgroup:Workgroup",
        "aws:redshiftserverless/namespace:Namespace",
        "aws:redshiftserverless/workgroup:Workgroup",
        "aws:redshift/cluster:Cluster",
        "aws:iam/user:User",
        "aws:iam/role:Role",
        "aws:budgets/budget:Budget",
        "azure-native:resources:ResourceGroup",
        "azure-native:storage:StorageAccount",
        "azure-native:datafactory:Factory",
        "azure-native:synapse:Workspace",
        "azure-native:synapse:BigDataPool",
        "azure-native:synapse:SqlPool",
    }
)

BUCKET: Final = "aws:s3/bucket:Bucket"
BUCKET_ACLS: Final = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
BUCKET_POLICY: Final = "aws:s3/bucketPolicy:BucketPolicy"
PUBLIC_ACCESS_BLOCK: Final = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_SSE: Final = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
SERVERLESS_WORKGROUP: Final = "aws:redshiftserverless/workgroup:Workgroup"
USAGE_LIMIT: Final = "aws:redshiftserverless/usageLimit:UsageLimit"
AWS_BUDGET: Final = "aws:budgets/budget:Budget"
AZURE_BUDGET: Final = "azure-native:consumption:Budget"
SPARK_POOL: Final = "azure-native:synapse:BigDataPool"
SQL_POOL: Final = "azure-native:synapse:SqlPool"
FIREWALL_RULE: Final = "azure-native:synapse:IpFirewallRule"
PAUSE_COMMAND_PATTERN: Final = re.compile(r"az synapse sql pool pause")

# Canned ACLs and grantees that open a bucket to everyone (S3 user guide, "ACL overview").
PUBLIC_CANNED_ACLS: Final = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GRANTEES: Final = frozenset(
    {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }
)
# Metrics an AWS budget with a filter expression measures cost by (Budgets API, `Metrics`).
COST_METRICS: Final = frozenset(
    {"UnblendedCost", "AmortizedCost", "BlendedCost", "NetUnblendedCost", "NetAmortizedCost"}
)
# A usage limit's period, in weeks, to compare it with the weekly cap.
WEEKS_PER_PERIOD: Final = {"daily": 1 / 7, "weekly": 1.0, "monthly": 52 / 12}
_UNKNOWN: Final = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)
UNDECIDED: Final = "undecided-during-preview"


def org() -> OrgPolicy:
    return load_org_policy()


def _num(value: Any) -> str:
    """Numbers reach policies as floats (protobuf); show 32, not 32.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- deciding, and saying so when a rule cannot ----------------------------------------------
class Undecided(Exception):
    """A value a rule needs is not known yet (during preview)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path} is not known until the update runs")
        self.path = path


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in _UNKNOWN


def known(props: Any, *path: str | int) -> Any:
    """`props[path...]`, None where a key is absent; `Undecided` where a value is unknown
    (the engine's proxies raise on access; offline plans carry the same sentinels)."""
    value = props
    for index, key in enumerate(path):
        where = ".".join(str(p) for p in path[: index + 1])
        if value is None:
            return None
        try:
            if isinstance(key, int):
                value = value[key] if isinstance(value, list | tuple) or _is_seq(value) else None
            else:
                value = value.get(key) if isinstance(value, Mapping) else None
        except UnknownValueError:
            raise Undecided(where) from None
        except IndexError:
            return None
        if is_unknown(value):
            raise Undecided(where)
    return _plain(value, ".".join(str(p) for p in path))


def _is_seq(value: Any) -> bool:
    return (
        hasattr(value, "__getitem__")
        and hasattr(value, "__len__")
        and not isinstance(value, str | Mapping)
    )


def _plain(value: Any, where: str) -> Any:
    """A fully known copy of `value` (lists and mappings walked), or `Undecided`."""
    try:
        if isinstance(value, Mapping):
            return {k: _plain(value[k], f"{where}.{k}") for k in value}
        if _is_seq(value):
            return [_plain(value[i], f"{where}.{i}") for i in range(len(value))]
    except UnknownValueError:
        raise Undecided(where) from None
    if is_unknown(value):
        raise Undecided(where)
    return value


@dataclass
class Findings:
    """What one rule found on one resource (or stack): violations, and what it could not
    decide with the reason."""

    violations: list[tuple[str, str | None]] = field(default_factory=list)
    undecided: list[tuple[str, str | None]] = field(default_factory=list)

    def violation(self, message: str, urn: str | None = None) -> None:
        self.violations.append((message, urn))

    def cannot_decide(self, name: str, reason: str, urn: str | None = None) -> None:
        self.undecided.append((f"{name}: cannot decide during preview: {reason}", urn))

    def check(self, name: str, urn: str | None, fn: Callable[[], None]) -> None:
        """Run one independent check; an unknown value stops only this check."""
        try:
            fn()
        except Undecided as exc:
            self.cannot_decide(name, str(exc), urn)
        except UnknownValueError as exc:
            self.cannot_decide(name, exc.message, urn)


ResourceRule = Callable[[ResourceValidationArgs, Findings], None]
StackRule = Callable[[StackValidationArgs, Findings], None]


def run_resource_rule(rule: ResourceRule, args: ResourceValidationArgs) -> Findings:
    found = Findings()
    found.check(args.name, args.urn, lambda: rule(args, found))
    return found


def run_stack_rule(rule: StackRule, args: StackValidationArgs) -> Findings:
    found = Findings()
    found.check("stack", None, lambda: rule(args, found))
    return found
