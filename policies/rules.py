"""The lakelab CrossGuard rules: guardrails every learner stack must pass.

Each rule validates the engine's view of a resource (camelCase properties), so the same
functions run inside `pulumi preview --policy-pack policies` and offline against `lakelab plan`
(`lakelab policy check`). Caps an organisation may change come from the org policy file
(`lakelab.orgpolicy`, `lakelab policy show`); the rest are fixed guardrails.

During a preview some values are not known yet (an ARN, a resource group id). A rule never
passes on a value it cannot see: it records that it could not decide, and the advisory policy
`undecided-during-preview` reports each such case with its reason. Every other policy is
mandatory.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
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

from lakelab.clouds.aws.access import wildcard_resources
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


# --- resource rules ---------------------------------------------------------------------------
def required_tags(args: ResourceValidationArgs, found: Findings) -> None:
    if args.resource_type not in TAGGABLE_TYPES:
        return
    tags = known(args.props, "tags") or {}
    missing = [t for t in REQUIRED_TAGS if not tags.get(t)]
    if missing:
        found.violation(f"{args.name}: missing required tags {', '.join(missing)}", args.urn)


def _public_statements(document: Any) -> list[str]:
    """Sids (or indexes) of Allow statements whose principal is everyone."""
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    out = []
    for index, st in enumerate(statements):
        if st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        values: list[Any] = []
        if principal == "*":
            values = ["*"]
        elif isinstance(principal, dict):
            for v in principal.values():
                values += v if isinstance(v, list) else [v]
        if "*" in values or "NotPrincipal" in st:
            out.append(str(st.get("Sid") or index))
    return out


def no_public_storage(args: ResourceValidationArgs, found: Findings) -> None:
    p, name, urn = args.props, args.name, args.urn
    if args.resource_type == PUBLIC_ACCESS_BLOCK:
        flags = (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
        off = [f for f in flags if known(p, f) is not True]
        if off:
            found.violation(f"{name}: public access block must set {', '.join(off)} to true", urn)
    elif args.resource_type == BUCKET:
        acl = known(p, "acl")
        if acl in PUBLIC_CANNED_ACLS:
            found.violation(f"{name}: bucket ACL {acl} makes objects public", urn)
    elif args.resource_type in BUCKET_ACLS:

        def canned() -> None:
            acl = known(p, "acl")
            if acl in PUBLIC_CANNED_ACLS:
                found.violation(f"{name}: bucket ACL {acl} makes objects public", urn)

        def grants() -> None:
            policy = known(p, "accessControlPolicy") or {}
            for grant in policy.get("grants") or []:
                uri = (grant.get("grantee") or {}).get("uri")
                if uri in PUBLIC_GRANTEES:
                    found.violation(
                        f"{name}: bucket ACL grants {grant.get('permission')} to {uri}", urn
                    )

        found.check(name, urn, canned)
        found.check(name, urn, grants)
    elif args.resource_type == BUCKET_POLICY:
        text = known(p, "policy")
        document = json.loads(text) if isinstance(text, str) else text
        public = _public_statements(document)
        if public:
            found.violation(
                f"{name}: bucket policy allows everyone (Principal *) in statement"
                f" {', '.join(public)}",
                urn,
            )
    elif args.resource_type == "azure-native:storage:StorageAccount":
        if known(p, "allowBlobPublicAccess") is not False:
            found.violation(f"{name}: allowBlobPublicAccess must be false", urn)
    elif args.resource_type == "azure-native:storage:BlobContainer":
        access = known(p, "publicAccess")
        if access not in (None, "None"):
            found.violation(f"{name}: container public access is {access}", urn)


def encryption_at_rest(args: ResourceValidationArgs, found: Findings) -> None:
    p, name, urn = args.props, args.name, args.urn
    if args.resource_type == "azure-native:storage:StorageAccount":

        def blob() -> None:
            if known(p, "encryption", "services", "blob", "enabled") is not True:
                found.violation(f"{name}: blob encryption at rest must be enabled", urn)

        def transport() -> None:
            https, tls = known(p, "enableHttpsTrafficOnly"), known(p, "minimumTlsVersion")
            if https is not True or tls != "TLS1_2":
                found.violation(f"{name}: storage must require HTTPS and TLS 1.2", urn)

        found.check(name, urn, blob)
        found.check(name, urn, transport)
    elif args.resource_type == "aws:redshift/cluster:Cluster":
        if str(known(p, "encrypted")).lower() != "true":
            found.violation(f"{name}: Redshift cluster must be encrypted", urn)
    elif args.resource_type == BUCKET_SSE:
        rules = known(p, "rules") or []
        algorithms = [
            (r.get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm") for r in rules
        ]
        if not any(a in ("AES256", "aws:kms", "aws:kms:dsse") for a in algorithms):
            found.violation(f"{name}: no default server-side encryption algorithm", urn)


def athena_guardrails(args: ResourceValidationArgs, found: Findings) -> None:
    if args.resource_type != "aws:athena/workgroup:Workgroup":
        return
    p, name, urn = args.props, args.name, args.urn
    cap_gb = org().query.max_scan_cutoff_gb

    def enforced() -> None:
        if known(p, "configuration", "enforceWorkgroupConfiguration") is not True:
            found.violation(f"{name}: workgroup configuration must be enforced", urn)

    def location() -> None:
        if not known(p, "configuration", "resultConfiguration", "outputLocation"):
            found.violation(f"{name}: no enforced query result location", urn)

    def encrypted() -> None:
        option = known(
            p, "configuration", "resultConfiguration", "encryptionConfiguration", "encryptionOption"
        )
        if not option:
            found.violation(f"{name}: query results must be encrypted", urn)

    def cutoff() -> None:
        value = known(p, "configuration", "bytesScannedCutoffPerQuery")
        if value is None or not 0 < value <= cap_gb * 1024**3:
            found.violation(
                f"{name}: per-query scan cutoff must be set and at most {_num(cap_gb)} GB"
                f" (got {_num(value)})",
                urn,
            )

    for check in (enforced, location, encrypted, cutoff):
        found.check(name, urn, check)


def warehouse_size(args: ResourceValidationArgs, found: Findings) -> None:
    p, name, urn = args.props, args.name, args.urn
    caps = org().warehouse
    if args.resource_type == SERVERLESS_WORKGROUP:

        def base() -> None:
            value = known(p, "baseCapacity")
            if isinstance(value, int | float) and value > caps.max_base_rpu:
                found.violation(
                    f"{name}: Redshift Serverless base capacity {_num(value)} RPU is above"
                    f" {caps.max_base_rpu} RPU",
                    urn,
                )

        def burst() -> None:
            value = known(p, "maxCapacity")
            if isinstance(value, int | float) and value > caps.max_capacity_rpu:
                found.violation(
                    f"{name}: Redshift Serverless max capacity {_num(value)} RPU is above"
                    f" {caps.max_capacity_rpu} RPU",
                    urn,
                )

        found.check(name, urn, base)
        found.check(name, urn, burst)
    elif args.resource_type == USAGE_LIMIT:

        def weekly() -> None:
            amount, period = known(p, "amount"), known(p, "period") or "monthly"
            hours = float(amount or 0) / WEEKS_PER_PERIOD.get(str(period), 1.0)
            if amount is None or hours > caps.max_weekly_rpu_hours:
                found.violation(
                    f"{name}: usage limit of {_num(amount)} RPU-hours {period} is above"
                    f" {_num(caps.max_weekly_rpu_hours)} RPU-hours a week",
                    urn,
                )

        def action() -> None:
            if known(p, "breachAction") != "deactivate":
                found.violation(
                    f"{name}: a usage limit must deactivate the workgroup when reached"
                    f" (breachAction is {known(p, 'breachAction')})",
                    urn,
                )

        found.check(name, urn, weekly)
        found.check(name, urn, action)
    elif args.resource_type == "aws:redshift/cluster:Cluster":

        def node_type() -> None:
            node = known(p, "nodeType")
            if node not in caps.redshift_node_types:
                allowed = ", ".join(caps.redshift_node_types)
                found.violation(
                    f"{name}: node type {node} is not allowed (allowed: {allowed})", urn
                )

        def nodes() -> None:
            if (known(p, "numberOfNodes") or 1) > caps.max_redshift_nodes:
                found.violation(f"{name}: more than {caps.max_redshift_nodes} Redshift nodes", urn)

        found.check(name, urn, node_type)
        found.check(name, urn, nodes)


def synapse_dedicated_pool(args: ResourceValidationArgs, found: Findings) -> None:
    if args.resource_type != SQL_POOL:
        return
    cap = org().warehouse.max_dedicated_dwu
    sku = str(known(args.props, "sku", "name") or "")
    match = re.fullmatch(r"DW(\d+)c", sku)
    if not match or int(match.group(1)) > cap:
        found.violation(f"{args.name}: dedicated SQL pool {sku or '?'} is above DW{cap}c", args.urn)


def spark_pool_size(args: ResourceValidationArgs, found: Findings) -> None:
    """However the pool pauses, its size is what a running session bills."""
    if args.resource_type != SPARK_POOL:
        return
    p, name, urn = args.props, args.name, args.urn
    caps = org().spark

    def nodes() -> None:
        if known(p, "autoScale", "enabled") is True:
            count = known(p, "autoScale", "maxNodeCount")
        else:
            count = known(p, "nodeCount")
        if count is None or count > caps.max_pool_nodes:
            found.violation(
                f"{name}: Spark pool of up to {_num(count)} nodes is above"
                f" {caps.max_pool_nodes} nodes",
                urn,
            )

    def size() -> None:
        node_size = known(p, "nodeSize")
        if node_size not in caps.pool_node_sizes:
            found.violation(
                f"{name}: Spark pool node size {node_size} is not allowed"
                f" (allowed: {', '.join(caps.pool_node_sizes)})",
                urn,
            )

    found.check(name, urn, nodes)
    found.check(name, urn, size)


def spark_auto_pause(args: ResourceValidationArgs, found: Findings) -> None:
    if args.resource_type != SPARK_POOL:
        return
    cap = org().spark.max_auto_pause_minutes
    enabled = known(args.props, "autoPause", "enabled")
    delay = known(args.props, "autoPause", "delayInMinutes")
    if enabled is not True or not delay or delay > cap:
        found.violation(
            f"{args.name}: Spark pool must auto-pause within {cap}"
            f" minutes (enabled={enabled}, delay={_num(delay)})",
            args.urn,
        )


def glue_workers(args: ResourceValidationArgs, found: Findings) -> None:
    if args.resource_type != "aws:glue/job:Job":
        return
    p, name, urn = args.props, args.name, args.urn
    caps = org().spark

    def count() -> None:
        workers = known(p, "numberOfWorkers")
        if known(p, "maxCapacity") is not None or not workers or workers > caps.max_glue_workers:
            found.violation(
                f"{name}: Glue jobs take at most {caps.max_glue_workers} workers"
                f" (got {_num(workers)})",
                urn,
            )

    def worker_type() -> None:
        value = known(p, "workerType")
        if value not in caps.glue_worker_types:
            found.violation(f"{name}: Glue worker type {value} is not allowed", urn)

    found.check(name, urn, count)
    found.check(name, urn, worker_type)


def budget_limits(args: ResourceValidationArgs, found: Findings) -> None:
    cap = org().budget.max_usd
    if args.resource_type == AWS_BUDGET:
        amount = known(args.props, "limitAmount")
    elif args.resource_type == AZURE_BUDGET:
        amount = known(args.props, "amount")
    else:
        return
    if amount is None or float(amount) > cap:
        found.violation(
            f"{args.name}: budget of {_num(float(amount)) if amount is not None else None} USD"
            f" is above the {_num(cap)} USD a learner may have",
            args.urn,
        )


def _filter_tags(expression: Any) -> dict[str, list[str]]:
    """Tag key -> values an AWS budget filter expression requires (through `ands`)."""
    if not isinstance(expression, dict):
        return {}
    out: dict[str, list[str]] = {}
    tags = expression.get("tags")
    if isinstance(tags, dict) and tags.get("key"):
        out[str(tags["key"])] = list(tags.get("values") or [])
    for part in expression.get("ands") or []:
        out.update(_filter_tags(part))
    return out


def budget_sees_spend(args: ResourceValidationArgs, found: Findings) -> None:
    """A budget alerts only if it measures cost, is narrowed to the learner and tells them."""
    p, name, urn = args.props, args.name, args.urn
    if args.resource_type == AWS_BUDGET:

        def cost() -> None:
            if known(p, "budgetType") != "COST":
                found.violation(f"{name}: budget type must be COST", urn)

        def narrowed() -> None:
            expression = known(p, "filterExpression")
            tags = _filter_tags(expression)
            if not {"cohort", "learner"} <= set(tags):
                found.violation(
                    f"{name}: budget filter must select the cohort and learner tags"
                    f" (selects {', '.join(sorted(tags)) or 'nothing'})",
                    urn,
                )
            metric = known(p, "metrics") or []  # one name in pulumi-aws 7, a list in the API
            metrics = [metric] if isinstance(metric, str) else list(metric)
            if expression and not COST_METRICS & set(metrics):
                found.violation(
                    f"{name}: a budget with a filter expression needs a cost metric"
                    f" (metrics: {', '.join(metrics) or 'none'}), else it sees no spend",
                    urn,
                )

        def alerts() -> None:
            notes = known(p, "notifications") or []
            if not notes or any(not n.get("subscriberEmailAddresses") for n in notes):
                found.violation(f"{name}: every budget notification must email someone", urn)

        for check in (cost, narrowed, alerts):
            found.check(name, urn, check)
    elif args.resource_type == AZURE_BUDGET:

        def cost() -> None:
            if known(p, "category") != "Cost":
                found.violation(f"{name}: budget category must be Cost", urn)

        def narrowed() -> None:
            scope = str(known(p, "scope") or "")
            if "/resourcegroups/" not in scope.lower() and not known(p, "filter"):
                found.violation(
                    f"{name}: budget must be scoped to the learner's resource group or"
                    f" filtered (scope {scope or 'unset'})",
                    urn,
                )

        def alerts() -> None:
            notes = known(p, "notifications") or {}
            if not notes or any(not n.get("contactEmails") for n in notes.values()):
                found.violation(f"{name}: every budget notification must email someone", urn)

        for check in (cost, narrowed, alerts):
            found.check(name, urn, check)


def firewall_range(args: ResourceValidationArgs, found: Findings) -> None:
    """However a rule is written (one range, any start and end), it admits few addresses."""
    if args.resource_type != FIREWALL_RULE:
        return
    cap = org().network.max_firewall_addresses
    start, end = known(args.props, "startIpAddress"), known(args.props, "endIpAddress")
    try:
        first, last = ipaddress.IPv4Address(start), ipaddress.IPv4Address(end)
    except ValueError:
        found.violation(f"{args.name}: {start}-{end} is not an IPv4 range", args.urn)
        return
    size = int(last) - int(first) + 1
    if size > cap:
        share = size / 2**32
        found.violation(
            f"{args.name}: firewall rule {first}-{last} admits {size} addresses"
            f" ({share:.0%} of the internet); at most {cap}",
            args.urn,
        )


def buckets_force_destroy(args: ResourceValidationArgs, found: Findings) -> None:
    if args.resource_type == BUCKET and known(args.props, "forceDestroy") is not True:
        found.violation(
            f"{args.name}: bucket must set forceDestroy so teardown is never blocked", args.urn
        )


def learner_iam_no_wildcards(args: ResourceValidationArgs, found: Findings) -> None:
    if args.resource_type not in ("aws:iam/userPolicy:UserPolicy", "aws:iam/rolePolicy:RolePolicy"):
        return
    policy = known(args.props, "policy")
    document = json.loads(policy) if isinstance(policy, str) else policy
    hits = wildcard_resources(document or {})
    if hits:
        found.violation(
            f"{args.name}: policy grants wildcard resources {', '.join(sorted(set(hits)))}",
            args.urn,
        )


# --- stack rules ------------------------------------------------------------------------------
def _children(args: StackValidationArgs, type_: str) -> set[str]:
    return {
        r.parent.urn for r in args.resources if r.resource_type == type_ and r.parent is not None
    }


def every_bucket_guarded(args: StackValidationArgs, found: Findings) -> None:
    """Every bucket has its own public access block and default encryption."""
    blocked = _children(args, PUBLIC_ACCESS_BLOCK)
    encrypted = _children(args, BUCKET_SSE)
    for r in args.resources:
        if r.resource_type != BUCKET:
            continue
        if r.urn not in blocked:
            found.violation(f"{r.name}: bucket has no public access block", r.urn)
        if r.urn not in encrypted:
            found.violation(f"{r.name}: bucket has no server-side encryption configuration", r.urn)


def budget_present(args: StackValidationArgs, found: Findings) -> None:
    if not any(r.resource_type in (AWS_BUDGET, AZURE_BUDGET) for r in args.resources):
        found.violation("the stack has no budget for the learner", None)


def dedicated_pool_created_paused(args: StackValidationArgs, found: Findings) -> None:
    pausers = {
        r.parent.urn
        for r in args.resources
        if r.resource_type == "command:local:Command"
        and r.parent is not None
        and PAUSE_COMMAND_PATTERN.search(str(r.props.get("create", "")))
    }
    for r in args.resources:
        if r.resource_type == SQL_POOL and r.urn not in pausers:
            found.violation(f"{r.name}: dedicated SQL pool is not paused after creation", r.urn)


def serverless_usage_limited(args: StackValidationArgs, found: Findings) -> None:
    limited = _children(args, USAGE_LIMIT)
    for r in args.resources:
        if r.resource_type == SERVERLESS_WORKGROUP and r.urn not in limited:
            found.violation(f"{r.name}: Redshift Serverless workgroup has no usage limit", r.urn)


def lab_expiry(args: StackValidationArgs, found: Findings, today: date | None = None) -> None:
    """The lab's `expires` tag is at most the org's longest lab away."""
    max_days = org().lab.max_days
    today = today or date.today()
    seen: dict[str, str] = {}
    for r in args.resources:
        if r.resource_type not in TAGGABLE_TYPES:
            continue
        try:
            value = known(r.props, "tags", "expires")
        except Undecided:
            found.cannot_decide(r.name, "tags.expires is not known until the update runs", r.urn)
            continue
        if value:
            seen.setdefault(str(value), r.name)
    for value, first in sorted(seen.items()):
        try:
            expires = date.fromisoformat(value)
        except ValueError:
            found.violation(f"{first}: expires tag {value!r} is not a date (YYYY-MM-DD)", None)
            continue
        days = (expires - today).days
        if days > max_days:
            found.violation(
                f"the lab expires on {value}, {days} days from {today.isoformat()};"
                f" at most {max_days} days",
                None,
            )


# --- the pack ---------------------------------------------------------------------------------
RESOURCE_RULES: Final[dict[str, tuple[str, ResourceRule]]] = {
    "required-tags": (
        "Taggable resources carry cohort, learner, course, expires, managed-by.",
        required_tags,
    ),
    "no-public-storage": (
        "No public S3 buckets (ACLs, bucket policies), blobs or containers.",
        no_public_storage,
    ),
    "encryption-at-rest": (
        "Storage and warehouses are encrypted at rest.",
        encryption_at_rest,
    ),
    "athena-guardrails": (
        "Athena workgroups enforce result location, encryption and a scan cutoff.",
        athena_guardrails,
    ),
    "warehouse-size": (
        "Redshift within the org's RPU, RPU-hour and node caps.",
        warehouse_size,
    ),
    "synapse-dedicated-pool-size": (
        "Synapse dedicated pools within the org's DWU cap.",
        synapse_dedicated_pool,
    ),
    "spark-pool-size": (
        "Synapse Spark pools within the org's node count and node sizes.",
        spark_pool_size,
    ),
    "spark-auto-pause": ("Synapse Spark pools auto-pause quickly.", spark_auto_pause),
    "glue-workers-capped": ("Glue jobs use few, small workers.", glue_workers),
    "budget-limit": ("A learner's budget is within the org's ceiling.", budget_limits),
    "budget-sees-spend": (
        "Budgets measure cost, are narrowed to the learner and email them.",
        budget_sees_spend,
    ),
    "firewall-range": (
        "Synapse firewall rules admit a small range, however written.",
        firewall_range,
    ),
    "buckets-force-destroy": (
        "Buckets set force_destroy so teardown is never blocked.",
        buckets_force_destroy,
    ),
    "learner-iam-no-wildcards": (
        "Learner and service IAM policies name only the learner's resources.",
        learner_iam_no_wildcards,
    ),
}
STACK_RULES: Final[dict[str, tuple[str, StackRule]]] = {
    "bucket-guards-present": (
        "Every bucket has a public access block and default encryption.",
        every_bucket_guarded,
    ),
    "budget-present": ("Every learner stack has a budget.", budget_present),
    "dedicated-pool-created-paused": (
        "Dedicated SQL pools are paused as soon as they are created.",
        dedicated_pool_created_paused,
    ),
    "serverless-usage-limited": (
        "Every Redshift Serverless workgroup has a usage limit.",
        serverless_usage_limited,
    ),
    "lab-expiry": ("A lab expires within the org's longest lab.", lab_expiry),
}


def _report_all(items: Iterable[tuple[str, str | None]], report: Report) -> None:
    for message, urn in items:
        report(message, urn)


def _mandatory_resource(rule: ResourceRule) -> Callable[..., None]:
    def validate(args: ResourceValidationArgs, report: Report) -> None:
        _report_all(run_resource_rule(rule, args).violations, report)

    return validate


def _mandatory_stack(rule: StackRule) -> Callable[..., None]:
    def validate(args: StackValidationArgs, report: Report) -> None:
        _report_all(run_stack_rule(rule, args).violations, report)

    return validate


def _undecided_resources(args: ResourceValidationArgs, report: Report) -> None:
    for policy, (_, rule) in RESOURCE_RULES.items():
        for message, urn in run_resource_rule(rule, args).undecided:
            report(f"{policy}: {message}", urn)


def _undecided_stack(args: StackValidationArgs, report: Report) -> None:
    for policy, (_, rule) in STACK_RULES.items():
        for message, urn in run_stack_rule(rule, args).undecided:
            report(f"{policy}: {message}", urn)


RESOURCE_POLICIES: Final = [
    ResourceValidationPolicy(
        name=name,
        description=description,
        validate=_mandatory_resource(rule),
        enforcement_level=EnforcementLevel.MANDATORY,
    )
    for name, (description, rule) in RESOURCE_RULES.items()
]
STACK_POLICIES: Final = [
    StackValidationPolicy(
        name=name,
        description=description,
        validate=_mandatory_stack(rule),
        enforcement_level=EnforcementLevel.MANDATORY,
    )
    for name, (description, rule) in STACK_RULES.items()
]
# One advisory policy says what every other rule could not decide during a preview, and why.
UNDECIDED_POLICIES: Final = [
    ResourceValidationPolicy(
        name=UNDECIDED,
        description="A value a rule needs is not known during preview (advisory).",
        validate=_undecided_resources,
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
    StackValidationPolicy(
        name=f"{UNDECIDED}-stack",
        description="A stack rule needs a value not known during preview (advisory).",
        validate=_undecided_stack,
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
]
ALL_POLICIES: Final = [*RESOURCE_POLICIES, *STACK_POLICIES, *UNDECIDED_POLICIES]


def policy_names() -> list[str]:
    return [p.name for p in ALL_POLICIES]
