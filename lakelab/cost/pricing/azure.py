"""Azure prices for a lab's offline plan: what stands (ADLS, Data Factory, Synapse workspace,
budgets, a dedicated pool) and what each session runs (Spark pool, activities, serverless SQL)."""

from __future__ import annotations

from typing import Any

from lakelab.cost import model
from lakelab.cost.catalog import Catalog
from lakelab.cost.course import Session
from lakelab.cost.model import LineItem
from lakelab.cost.pricing.items import count, item, lab_item, scan
from lakelab.naming import STAGES
from lakelab.plan import Plan


def _scheduled_pipelines(plan: Plan) -> set[str]:
    """Pipelines a schedule trigger runs (each day: never an inactive pipeline)."""
    return {
        ref["pipelineReference"]["referenceName"]
        for t in plan.of_type("azure-native:datafactory:Trigger")
        if t.inputs.get("properties", {}).get("type") == "ScheduleTrigger"
        for ref in t.inputs["properties"].get("pipelines", [])
    }


def _monthly(plan: Plan, cat: Catalog) -> list[LineItem]:
    """What the lab costs each month it stands, used or not."""
    lake_gb = cat.value("lake_storage_gb")
    scheduled = _scheduled_pipelines(plan)
    pipelines = sum(
        1
        for p in plan.of_type("azure-native:datafactory:Pipeline")
        if p.inputs.get("pipelineName") not in scheduled
    )
    items = [
        item(
            cat,
            "ADLS Gen2 lake storage",
            "always",
            lake_gb,
            "adls_hot_lrs_gb_month",
            f"{lake_gb:g} GB over {count(plan, 'azure-native:storage:BlobContainer')} filesystems",
        ),
        item(
            cat,
            "Synapse workspace",
            "always",
            count(plan, "azure-native:synapse:Workspace"),
            "synapse_workspace_month",
        ),
        item(
            cat,
            "Cost Management budget",
            "always",
            count(plan, "azure-native:consumption:Budget"),
            "azure_budget_month",
        ),
        item(
            cat,
            "Data Factory pipeline with no run",
            "idle",
            pipelines,
            "adf_inactive_pipeline_month",
            "only in a month without lab work",
        ),
    ]
    if scheduled:
        daily = 365 / 12
        items.append(
            item(
                cat,
                "Data Factory scheduled runs (nightly warehouse pause)",
                "always",
                # Orchestration bills the trigger execution and the activity run alike.
                2 * daily * len(scheduled),
                "adf_activity_run",
                f"{len(scheduled)} pipeline(s) x {daily:.1f} nights x (trigger + activity run)",
            )
        )
    return items + _dedicated_pool_monthly(plan, cat)


def _dedicated_pool_monthly(plan: Plan, cat: Catalog) -> list[LineItem]:
    """A provisioned warehouse's dedicated SQL pool, standing paused: its storage only."""
    pools = count(plan, "azure-native:synapse:SqlPool")
    if plan.outputs["cost_inputs"]["warehouse_mode"] != "provisioned" or not pools:
        return []
    warehouse_gb = cat.value("warehouse_storage_gb")
    return [
        item(
            cat,
            "Dedicated SQL pool storage (paused)",
            "always",
            warehouse_gb * pools,
            "synapse_dedicated_storage_gb_month",
            f"{warehouse_gb:g} GB",
        ),
        item(
            cat,
            "Dedicated SQL pool compute while paused",
            "always",
            0,
            "synapse_dw100c_hour",
            "created paused",
        ),
    ]


def spark_jobs(plan: Plan) -> int:
    """Spark job activities a pipeline run starts, as the plan declares them (the stages, the
    catalog step and dbt): each is one activity run and about one stage's time on the pool."""
    activities = [
        activity
        for pipeline in plan.of_type("azure-native:datafactory:Pipeline")
        for activity in pipeline.inputs.get("activities") or []
        if activity.get("type") == "SparkJob"
    ]
    return len(activities) or len(STAGES)


def _per_lab_hour(plan: Plan, cat: Catalog) -> list[LineItem]:
    """What an hour of the typical lab adds (catalog usage assumptions)."""
    a = cat.value
    items: list[LineItem] = []
    runs = a("pipeline_runs_per_lab_hour")
    if count(plan, "azure-native:synapse:BigDataPool"):
        items.append(_spark_lab_hour(plan.outputs["cost_inputs"], spark_jobs(plan), cat))
    if count(plan, "azure-native:datafactory:Pipeline"):
        jobs = spark_jobs(plan)
        items.append(
            item(
                cat,
                "Data Factory activity runs",
                "lab",
                runs * jobs,
                "adf_activity_run",
                f"{runs:g} run x {jobs} activities",
            )
        )
    queries, mb = a("adhoc_queries_per_lab_hour"), a("adhoc_mb_per_query")
    sql_min = cat.minimum("synapse_serverless_tb_processed")
    items.append(
        item(
            cat,
            "Serverless SQL ad-hoc queries",
            "lab",
            model.scanned_tb(queries, mb, sql_min, a("mb_per_tb")),
            "synapse_serverless_tb_processed",
            f"{queries:g} queries x max({mb:g}, {sql_min:g}) MB",
        )
    )
    return items + _warehouse_lab_hour(plan, cat)


def _spark_lab_hour(ci: dict[str, Any], jobs: int, cat: Catalog) -> LineItem:
    """The Spark pool for one pipeline run: start-up, its Spark jobs, then the auto-pause."""
    a = cat.value
    runs = a("pipeline_runs_per_lab_hour")
    nodes = int(ci["spark_min_nodes"])
    size = str(ci["spark_node_size"])
    vcores = model.SYNAPSE_VCORES_PER_NODE[size]
    pause = float(ci["spark_auto_pause_minutes"])
    startup = a("spark_pool_startup_minutes")
    busy = jobs * a("stage_minutes")
    return item(
        cat,
        "Synapse Spark pool (medallion run)",
        "lab",
        model.spark_pool_vcore_hours(runs, nodes, vcores, busy, startup, pause),
        "synapse_spark_vcore_hour",
        f"{runs:g} run x {nodes} {size} nodes x {vcores} vCores x"
        f" ({startup:g} start + {busy:g} busy + {pause:g} auto-pause) min",
    )


def _warehouse_lab_hour(plan: Plan, cat: Catalog) -> list[LineItem]:
    """Warehouse queries: serverless SQL by data processed, or the dedicated pool resumed."""
    ci: dict[str, Any] = plan.outputs["cost_inputs"]
    a = cat.value
    mode = ci["warehouse_mode"]
    pools = count(plan, "azure-native:synapse:SqlPool")
    sql_min = cat.minimum("synapse_serverless_tb_processed")
    if mode == "serverless":
        wq, wmb = a("warehouse_queries_per_lab_hour"), a("warehouse_mb_per_query")
        return [
            item(
                cat,
                "Serverless SQL warehouse queries",
                "lab",
                model.scanned_tb(wq, wmb, sql_min, a("mb_per_tb")),
                "synapse_serverless_tb_processed",
                f"{wq:g} queries x max({wmb:g}, {sql_min:g}) MB",
            )
        ]
    if mode != "provisioned" or not pools:
        return []
    sku = str(ci["synapse_dedicated_sku"])
    hours = model.whole_hours(a("dedicated_pool_hours_per_lab_hour"))
    return [
        item(
            cat,
            f"Dedicated SQL pool {sku} resumed",
            "lab",
            hours * model.dwu_multiple(sku) * pools,
            "synapse_dw100c_hour",
            f"{hours:g} h x {model.dwu_multiple(sku):g} x DW100c",
        )
    ]


def standing(plan: Plan, cat: Catalog) -> tuple[LineItem, ...]:
    return tuple(_monthly(plan, cat) + _per_lab_hour(plan, cat))


def session(plan: Plan, s: Session, cat: Catalog) -> tuple[LineItem, ...]:
    ci: dict[str, Any] = plan.outputs["cost_inputs"]
    u, a = s.usage, cat.value
    items: list[LineItem] = []
    jobs = spark_jobs(plan)
    busy = u.pipeline_runs * jobs * a("stage_minutes") + u.spark_minutes
    if busy and count(plan, "azure-native:synapse:BigDataPool"):
        nodes, size = int(ci["spark_min_nodes"]), str(ci["spark_node_size"])
        vcores = model.SYNAPSE_VCORES_PER_NODE[size]
        start, pause = a("spark_pool_startup_minutes"), float(ci["spark_auto_pause_minutes"])
        items.append(
            lab_item(
                cat,
                "Synapse Spark pool",
                model.spark_pool_vcore_hours(1, nodes, vcores, busy, start, pause),
                "synapse_spark_vcore_hour",
                f"1 start x {nodes} {size} nodes x {vcores} vCores x"
                f" ({start:g} start + {busy:g} busy + {pause:g} auto-pause) min",
            )
        )
    if u.pipeline_runs and count(plan, "azure-native:datafactory:Pipeline"):
        items.append(
            lab_item(
                cat,
                "Data Factory activity runs",
                u.pipeline_runs * jobs,
                "adf_activity_run",
                f"{u.pipeline_runs} runs x {jobs} activities",
            )
        )
    tb = "synapse_serverless_tb_processed"
    items += scan(cat, "Serverless SQL", u.queries, a("adhoc_mb_per_query"), tb)
    mode = ci["warehouse_mode"]
    if mode == "serverless":
        items += scan(cat, "Serverless SQL", u.warehouse_queries, a("warehouse_mb_per_query"), tb)
    elif mode == "provisioned" and u.warehouse_minutes:
        sku = str(ci["synapse_dedicated_sku"])
        hours = model.whole_hours(u.warehouse_minutes / 60)
        items.append(
            lab_item(
                cat,
                f"Dedicated SQL pool {sku}",
                hours * model.dwu_multiple(sku),
                "synapse_dw100c_hour",
                f"{u.warehouse_minutes:g} min billed as {hours:g} whole h x"
                f" {model.dwu_multiple(sku):g} x DW100c",
            )
        )
    return tuple(items)
