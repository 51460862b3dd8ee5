"""Resource rules that keep a course affordable: Athena's scan cutoff, warehouse and Spark
pool sizes and auto-pause, Glue workers, budget ceilings, and budgets that see spend. Each
validates one resource as the Pulumi engine sees it, in a preview and offline alike."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    ResourceValidationArgs,
)

from lakelab.orgpolicy import WarehouseCaps
from policies.base import (
    AWS_BUDGET,
    AZURE_BUDGET,
    COST_METRICS,
    SERVERLESS_WORKGROUP,
    SPARK_POOL,
    SQL_POOL,
    USAGE_LIMIT,
    WEEKS_PER_PERIOD,
    Findings,
    _num,
    known,
    org,
)

# --- resource rules ---------------------------------------------------------------------------


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
    rule = _WAREHOUSE_RULES.get(args.resource_type)
    if rule is None:
        return
    for check in rule(args, org().warehouse, found):
        found.check(args.name, args.urn, check)


# The independent checks of one resource, each run by `Findings.check`.
_Checks = tuple[Callable[[], None], ...]


def _serverless_workgroup(
    args: ResourceValidationArgs, caps: WarehouseCaps, found: Findings
) -> _Checks:
    p, name, urn = args.props, args.name, args.urn

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

    return base, burst


def _usage_limit(args: ResourceValidationArgs, caps: WarehouseCaps, found: Findings) -> _Checks:
    p, name, urn = args.props, args.name, args.urn

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

    return weekly, action


def _redshift_cluster(
    args: ResourceValidationArgs, caps: WarehouseCaps, found: Findings
) -> _Checks:
    p, name, urn = args.props, args.name, args.urn

    def node_type() -> None:
        node = known(p, "nodeType")
        if node not in caps.redshift_node_types:
            allowed = ", ".join(caps.redshift_node_types)
            found.violation(f"{name}: node type {node} is not allowed (allowed: {allowed})", urn)

    def nodes() -> None:
        if (known(p, "numberOfNodes") or 1) > caps.max_redshift_nodes:
            found.violation(f"{name}: more than {caps.max_redshift_nodes} Redshift nodes", urn)

    return node_type, nodes


_WAREHOUSE_RULES: dict[
    str, Callable[[ResourceValidationArgs, WarehouseCaps, Findings], _Checks]
] = {
    SERVERLESS_WORKGROUP: _serverless_workgroup,
    USAGE_LIMIT: _usage_limit,
    "aws:redshift/cluster:Cluster": _redshift_cluster,
}


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
