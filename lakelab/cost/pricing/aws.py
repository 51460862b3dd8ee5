"""AWS prices for a lab's offline plan: what stands (S3, Glue catalog, IAM, budgets, the
Redshift warehouse) and what each session runs (Glue jobs, crawler, Athena, Redshift)."""

from __future__ import annotations

from typing import Any, Final

from lakelab.cost import model
from lakelab.cost.catalog import Catalog
from lakelab.cost.course import Session
from lakelab.cost.model import LineItem
from lakelab.cost.pricing.items import count, glue_price_id, item, lab_item, scan
from lakelab.naming import STAGES
from lakelab.plan import Plan

REDSHIFT_NODE_PRICES: Final[dict[str, str]] = {
    "ra3.large": "redshift_ra3_large_node_hour",
    "ra3.xlplus": "redshift_ra3_xlplus_node_hour",
}


def _monthly(plan: Plan, cat: Catalog) -> list[LineItem]:
    """What the lab costs each month it stands, used or not."""
    lake_gb = cat.value("lake_storage_gb")
    items = [
        item(
            cat,
            "S3 lake storage",
            "always",
            lake_gb,
            "s3_standard_gb_month",
            f"{lake_gb:g} GB over {count(plan, 'aws:s3/bucket:Bucket')} buckets",
        ),
        item(
            cat,
            "Glue Data Catalog",
            "always",
            1,
            "glue_catalog_month",
            f"{count(plan, 'aws:glue/catalogDatabase:CatalogDatabase')} databases, free tier",
        ),
        item(cat, "IAM user, role and policies", "always", 1, "iam_month"),
        item(
            cat,
            "AWS Budgets (alerts, no actions)",
            "always",
            count(plan, "aws:budgets/budget:Budget"),
            "aws_budget_month",
        ),
    ]
    return items + _warehouse_monthly(plan.outputs["cost_inputs"], cat)


def _warehouse_monthly(ci: dict[str, Any], cat: Catalog) -> list[LineItem]:
    """The warehouse standing: Redshift Serverless storage, or a cluster that is always on."""
    mode = ci["warehouse_mode"]
    warehouse_gb = cat.value("warehouse_storage_gb")
    if mode == "serverless":
        return [
            item(
                cat,
                "Redshift Serverless managed storage",
                "always",
                warehouse_gb,
                "redshift_managed_storage_gb_month",
                f"{warehouse_gb:g} GB",
            ),
            item(
                cat,
                "Redshift Serverless compute while idle",
                "always",
                0,
                "redshift_serverless_rpu_hour",
                "no queries, no charge",
            ),
        ]
    if mode != "provisioned":
        return []
    node_type = str(ci["redshift_node_type"])
    price_id = REDSHIFT_NODE_PRICES.get(node_type)
    if price_id is None:
        known = ", ".join(sorted(REDSHIFT_NODE_PRICES))
        raise ValueError(f"no price for Redshift node type {node_type!r} (priced: {known})")
    nodes = int(ci["redshift_node_count"])
    return [
        item(
            cat,
            "Redshift cluster, always on",
            "always",
            model.monthly_hours(cat.hours_per_month, nodes),
            price_id,
            f"{nodes} x {node_type} x {cat.hours_per_month:g} h",
        ),
        item(
            cat,
            "Redshift managed storage",
            "always",
            warehouse_gb,
            "redshift_managed_storage_gb_month",
            f"{warehouse_gb:g} GB",
        ),
    ]


def _per_lab_hour(plan: Plan, cat: Catalog) -> list[LineItem]:
    """What an hour of the typical lab adds (catalog usage assumptions)."""
    ci: dict[str, Any] = plan.outputs["cost_inputs"]
    a = cat.value
    items = [_glue_lab_hour(plan, ci, cat)]
    if count(plan, "aws:glue/crawler:Crawler"):
        items.append(_crawler_lab_hour(cat))
    queries, mb = a("adhoc_queries_per_lab_hour"), a("adhoc_mb_per_query")
    items.append(
        item(
            cat,
            "Athena queries",
            "lab",
            model.scanned_tb(queries, mb, cat.minimum("athena_tb_scanned"), a("mb_per_tb")),
            "athena_tb_scanned",
            f"{queries:g} queries x max({mb:g}, {cat.minimum('athena_tb_scanned'):g}) MB",
        )
    )
    if ci["warehouse_mode"] == "serverless":
        base = int(ci["redshift_base_rpu"])
        active = a("warehouse_active_minutes_per_lab_hour")
        items.append(
            item(
                cat,
                "Redshift Serverless compute",
                "lab",
                model.rpu_hours(base, active, cat.minimum("redshift_serverless_rpu_hour")),
                "redshift_serverless_rpu_hour",
                f"{base} RPU x {active:g} min",
            )
        )
    return items


def _glue_lab_hour(plan: Plan, ci: dict[str, Any], cat: Catalog) -> LineItem:
    runs, minutes = cat.value("pipeline_runs_per_lab_hour"), cat.value("stage_minutes")
    workers = int(ci["glue_workers"])
    worker_type = str(ci["glue_worker_type"])
    dpu = model.GLUE_DPU_PER_WORKER[worker_type]
    jobs = count(plan, "aws:glue/job:Job") or len(STAGES)
    glue_price = glue_price_id(ci)
    return item(
        cat,
        "Glue jobs (medallion run)",
        "lab",
        model.glue_job_dpu_hours(runs, jobs, workers, dpu, minutes, cat.minimum(glue_price)),
        glue_price,
        f"{runs:g} run x {jobs} jobs x {workers} {worker_type} x {minutes:g} min",
    )


def _crawler_lab_hour(cat: Catalog) -> LineItem:
    a = cat.value
    crawls, dpus, crawl_min = (
        a("crawler_runs_per_lab_hour"),
        a("crawler_dpus"),
        a("crawler_minutes"),
    )
    return item(
        cat,
        "Glue crawler over bronze",
        "lab",
        model.crawler_dpu_hours(crawls, dpus, crawl_min, cat.minimum("glue_crawler_dpu_hour")),
        "glue_crawler_dpu_hour",
        f"{crawls:g} run x {dpus:g} DPU x max({crawl_min:g},"
        f" {cat.minimum('glue_crawler_dpu_hour'):g}) min",
    )


def standing(plan: Plan, cat: Catalog) -> tuple[LineItem, ...]:
    return tuple(_monthly(plan, cat) + _per_lab_hour(plan, cat))


def session(plan: Plan, s: Session, cat: Catalog) -> tuple[LineItem, ...]:
    ci: dict[str, Any] = plan.outputs["cost_inputs"]
    u, a = s.usage, cat.value
    items: list[LineItem] = []
    glue = glue_price_id(ci)
    workers, wtype = int(ci["glue_workers"]), str(ci["glue_worker_type"])
    dpu = model.GLUE_DPU_PER_WORKER[wtype]
    jobs = count(plan, "aws:glue/job:Job") or len(STAGES)
    minutes, glue_min = a("stage_minutes"), cat.minimum(glue)
    klass = str(ci.get("glue_execution_class", "STANDARD"))
    if u.pipeline_runs:
        items.append(
            lab_item(
                cat,
                "Glue jobs",
                model.glue_job_dpu_hours(u.pipeline_runs, jobs, workers, dpu, minutes, glue_min),
                glue,
                f"{u.pipeline_runs} runs x {jobs} jobs x {workers} {wtype} x"
                f" max({minutes:g}, {glue_min:g}) min, {klass}",
            )
        )
    if u.spark_minutes:
        items.append(
            lab_item(
                cat,
                "Glue jobs",
                model.glue_job_dpu_hours(1, 1, workers, dpu, u.spark_minutes, glue_min),
                glue,
                f"{u.spark_minutes:g} min of own Spark work x {workers} {wtype}",
            )
        )
    if u.pipeline_runs and count(plan, "aws:glue/crawler:Crawler"):
        dpus, crawl, cmin = (
            a("crawler_dpus"),
            a("crawler_minutes"),
            cat.minimum("glue_crawler_dpu_hour"),
        )
        items.append(
            lab_item(
                cat,
                "Glue crawler",
                model.crawler_dpu_hours(u.pipeline_runs, dpus, crawl, cmin),
                "glue_crawler_dpu_hour",
                f"{u.pipeline_runs} runs x {dpus:g} DPU x max({crawl:g}, {cmin:g}) min",
            )
        )
    items += scan(cat, "Athena", u.queries, a("adhoc_mb_per_query"), "athena_tb_scanned")
    if u.warehouse_minutes and ci["warehouse_mode"] == "serverless":
        base, rmin = int(ci["redshift_base_rpu"]), cat.minimum("redshift_serverless_rpu_hour")
        items.append(
            lab_item(
                cat,
                "Redshift Serverless compute",
                model.rpu_hours(base, u.warehouse_minutes, rmin),
                "redshift_serverless_rpu_hour",
                f"{base} RPU x max({u.warehouse_minutes:g} min, {rmin:g} s)"
                f" ({u.warehouse_queries} queries)",
            )
        )
    return tuple(items)
