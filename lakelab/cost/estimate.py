"""Estimates from the offline plan: what a learner's lab costs on AWS and on Azure.

The plan's `cost_inputs` output carries the sizing (warehouse mode and capacity, Spark and Glue
sizes); the plan's resources say what exists (buckets, pipelines, pools). Prices and the typical
lab's usage come from the catalog. A learner with a stack on one cloud only is priced on the
other from a counterpart blueprint: the same settings, the paired region, planned offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from lakelab.blueprint import Blueprint, from_config
from lakelab.cost import model
from lakelab.cost.catalog import Catalog
from lakelab.cost.model import CourseCost, LineItem
from lakelab.errors import UserError
from lakelab.naming import STAGES
from lakelab.plan import Plan, plan_blueprint
from lakelab.regions import Cloud
from lakelab.stackfiles import list_stacks, load_blueprint, read_config

# Nearest region on the other cloud, for pricing a learner's counterpart lab.
REGION_PAIRS: Final[dict[str, str]] = {
    "us-east-1": "eastus",
    "us-east-2": "eastus2",
    "us-west-2": "westus2",
    "ca-central-1": "canadacentral",
    "eu-west-1": "northeurope",
    "eu-west-2": "uksouth",
    "eu-west-3": "francecentral",
    "eu-central-1": "germanywestcentral",
    "eu-north-1": "swedencentral",
    "ap-south-1": "centralindia",
    "ap-southeast-1": "southeastasia",
    "ap-southeast-2": "australiaeast",
    "ap-northeast-1": "japaneast",
    "ap-northeast-2": "koreacentral",
    "eastus": "us-east-1",
    "eastus2": "us-east-2",
    "westus2": "us-west-2",
    "westus3": "us-west-2",
    "centralus": "us-east-2",
    "northcentralus": "us-east-2",
    "southcentralus": "us-east-1",
    "canadacentral": "ca-central-1",
    "northeurope": "eu-west-1",
    "westeurope": "eu-west-1",
    "uksouth": "eu-west-2",
    "francecentral": "eu-west-3",
    "germanywestcentral": "eu-central-1",
    "swedencentral": "eu-north-1",
    "switzerlandnorth": "eu-central-1",
    "australiaeast": "ap-southeast-2",
    "southeastasia": "ap-southeast-1",
    "japaneast": "ap-northeast-1",
    "koreacentral": "ap-northeast-2",
    "centralindia": "ap-south-1",
}
# Pricing a counterpart needs some Entra object id; it changes no figure.
PLACEHOLDER_PRINCIPAL: Final = "00000000-0000-4000-8000-000000000000"
PROVIDER_REGION_KEY: Final[dict[str, str]] = {"aws": "aws:region", "azure": "azure-native:location"}
REDSHIFT_NODE_PRICES: Final[dict[str, str]] = {
    "ra3.large": "redshift_ra3_large_node_hour",
    "ra3.xlplus": "redshift_ra3_xlplus_node_hour",
}


@dataclass(frozen=True)
class Estimate:
    """One lab on one cloud, priced."""

    stack: str
    learner: str
    cloud: str
    region: str
    priced_region: str
    budget_usd: float
    items: tuple[LineItem, ...]
    resources: int
    derived_from: str | None = None

    @property
    def idle_per_month(self) -> float:
        return model.idle_per_month(self.items)

    @property
    def per_lab_hour(self) -> float:
        return model.per_lab_hour(self.items)

    def course(self, weeks: float, hours_per_week: float) -> CourseCost:
        return model.course_cost(self.items, weeks, hours_per_week)

    def course_month(self, hours_per_week: float) -> float:
        return model.course_month(self.items, hours_per_week)


@dataclass
class LearnerEstimate:
    """A learner's lab on both clouds; `rostered` names the clouds with a stack file."""

    learner: str
    aws: Estimate
    azure: Estimate
    rostered: tuple[str, ...] = field(default_factory=tuple)

    def on(self, cloud: str) -> Estimate:
        return self.aws if cloud == "aws" else self.azure


def glue_price_id(ci: dict[str, Any]) -> str:
    """The Glue price the plan's execution class bills at (standard when the plan predates
    the setting)."""
    flex = str(ci.get("glue_execution_class", "STANDARD")) == "FLEX"
    return "glue_flex_dpu_hour" if flex else "glue_dpu_hour"


# --- line items -------------------------------------------------------------------------------
def _count(plan: Plan, type_: str) -> int:
    return sum(1 for r in plan.resources if r.type == type_)


def _item(
    cat: Catalog, what: str, when: model.When, quantity: float, price_id: str, basis: str = ""
) -> LineItem:
    price = cat.price(price_id)
    return LineItem(what, when, quantity, price.unit, price.usd, price_id, basis)


def aws_items(plan: Plan, cat: Catalog) -> tuple[LineItem, ...]:
    ci: dict[str, Any] = plan.outputs["cost_inputs"]
    a = cat.value
    lake_gb = a("lake_storage_gb")
    items = [
        _item(
            cat,
            "S3 lake storage",
            "always",
            lake_gb,
            "s3_standard_gb_month",
            f"{lake_gb:g} GB over {_count(plan, 'aws:s3/bucket:Bucket')} buckets",
        ),
        _item(
            cat,
            "Glue Data Catalog",
            "always",
            1,
            "glue_catalog_month",
            f"{_count(plan, 'aws:glue/catalogDatabase:CatalogDatabase')} databases, free tier",
        ),
        _item(cat, "IAM user, role and policies", "always", 1, "iam_month"),
        _item(
            cat,
            "AWS Budgets (alerts, no actions)",
            "always",
            _count(plan, "aws:budgets/budget:Budget"),
            "aws_budget_month",
        ),
    ]
    mode = ci["warehouse_mode"]
    warehouse_gb = a("warehouse_storage_gb")
    if mode == "serverless":
        items += [
            _item(
                cat,
                "Redshift Serverless managed storage",
                "always",
                warehouse_gb,
                "redshift_managed_storage_gb_month",
                f"{warehouse_gb:g} GB",
            ),
            _item(
                cat,
                "Redshift Serverless compute while idle",
                "always",
                0,
                "redshift_serverless_rpu_hour",
                "no queries, no charge",
            ),
        ]
    elif mode == "provisioned":
        node_type = str(ci["redshift_node_type"])
        price_id = REDSHIFT_NODE_PRICES.get(node_type)
        if price_id is None:
            known = ", ".join(sorted(REDSHIFT_NODE_PRICES))
            raise ValueError(f"no price for Redshift node type {node_type!r} (priced: {known})")
        nodes = int(ci["redshift_node_count"])
        items += [
            _item(
                cat,
                "Redshift cluster, always on",
                "always",
                model.monthly_hours(cat.hours_per_month, nodes),
                price_id,
                f"{nodes} x {node_type} x {cat.hours_per_month:g} h",
            ),
            _item(
                cat,
                "Redshift managed storage",
                "always",
                warehouse_gb,
                "redshift_managed_storage_gb_month",
                f"{warehouse_gb:g} GB",
            ),
        ]
    # Per lab hour.
    runs = a("pipeline_runs_per_lab_hour")
    minutes = a("stage_minutes")
    workers = int(ci["glue_workers"])
    worker_type = str(ci["glue_worker_type"])
    dpu = model.GLUE_DPU_PER_WORKER[worker_type]
    jobs = _count(plan, "aws:glue/job:Job") or len(STAGES)
    glue_price = glue_price_id(ci)
    items.append(
        _item(
            cat,
            "Glue jobs (medallion run)",
            "lab",
            model.glue_job_dpu_hours(runs, jobs, workers, dpu, minutes, cat.minimum(glue_price)),
            glue_price,
            f"{runs:g} run x {jobs} jobs x {workers} {worker_type} x {minutes:g} min",
        )
    )
    if _count(plan, "aws:glue/crawler:Crawler"):
        crawls, dpus, crawl_min = (
            a("crawler_runs_per_lab_hour"),
            a("crawler_dpus"),
            a("crawler_minutes"),
        )
        items.append(
            _item(
                cat,
                "Glue crawler over bronze",
                "lab",
                model.crawler_dpu_hours(
                    crawls, dpus, crawl_min, cat.minimum("glue_crawler_dpu_hour")
                ),
                "glue_crawler_dpu_hour",
                f"{crawls:g} run x {dpus:g} DPU x max({crawl_min:g},"
                f" {cat.minimum('glue_crawler_dpu_hour'):g}) min",
            )
        )
    queries, mb = a("adhoc_queries_per_lab_hour"), a("adhoc_mb_per_query")
    items.append(
        _item(
            cat,
            "Athena queries",
            "lab",
            model.scanned_tb(queries, mb, cat.minimum("athena_tb_scanned"), a("mb_per_tb")),
            "athena_tb_scanned",
            f"{queries:g} queries x max({mb:g}, {cat.minimum('athena_tb_scanned'):g}) MB",
        )
    )
    if mode == "serverless":
        base = int(ci["redshift_base_rpu"])
        active = a("warehouse_active_minutes_per_lab_hour")
        items.append(
            _item(
                cat,
                "Redshift Serverless compute",
                "lab",
                model.rpu_hours(base, active, cat.minimum("redshift_serverless_rpu_hour")),
                "redshift_serverless_rpu_hour",
                f"{base} RPU x {active:g} min",
            )
        )
    return tuple(items)


def azure_items(plan: Plan, cat: Catalog) -> tuple[LineItem, ...]:
    ci: dict[str, Any] = plan.outputs["cost_inputs"]
    a = cat.value
    lake_gb = a("lake_storage_gb")
    pipelines = _count(plan, "azure-native:datafactory:Pipeline")
    items = [
        _item(
            cat,
            "ADLS Gen2 lake storage",
            "always",
            lake_gb,
            "adls_hot_lrs_gb_month",
            f"{lake_gb:g} GB over {_count(plan, 'azure-native:storage:BlobContainer')} filesystems",
        ),
        _item(
            cat,
            "Synapse workspace",
            "always",
            _count(plan, "azure-native:synapse:Workspace"),
            "synapse_workspace_month",
        ),
        _item(
            cat,
            "Cost Management budget",
            "always",
            _count(plan, "azure-native:consumption:Budget"),
            "azure_budget_month",
        ),
        _item(
            cat,
            "Data Factory pipeline with no run",
            "idle",
            pipelines,
            "adf_inactive_pipeline_month",
            "only in a month without lab work",
        ),
    ]
    mode = ci["warehouse_mode"]
    pools = _count(plan, "azure-native:synapse:SqlPool")
    if mode == "provisioned" and pools:
        warehouse_gb = a("warehouse_storage_gb")
        items += [
            _item(
                cat,
                "Dedicated SQL pool storage (paused)",
                "always",
                warehouse_gb * pools,
                "synapse_dedicated_storage_gb_month",
                f"{warehouse_gb:g} GB",
            ),
            _item(
                cat,
                "Dedicated SQL pool compute while paused",
                "always",
                0,
                "synapse_dw100c_hour",
                "created paused",
            ),
        ]
    # Per lab hour.
    runs = a("pipeline_runs_per_lab_hour")
    minutes = a("stage_minutes")
    nodes = int(ci["spark_min_nodes"])
    size = str(ci["spark_node_size"])
    vcores = model.SYNAPSE_VCORES_PER_NODE[size]
    pause = float(ci["spark_auto_pause_minutes"])
    startup = a("spark_pool_startup_minutes")
    busy = len(STAGES) * minutes
    if _count(plan, "azure-native:synapse:BigDataPool"):
        items.append(
            _item(
                cat,
                "Synapse Spark pool (medallion run)",
                "lab",
                model.spark_pool_vcore_hours(runs, nodes, vcores, busy, startup, pause),
                "synapse_spark_vcore_hour",
                f"{runs:g} run x {nodes} {size} nodes x {vcores} vCores x"
                f" ({startup:g} start + {busy:g} busy + {pause:g} auto-pause) min",
            )
        )
    if pipelines:
        items.append(
            _item(
                cat,
                "Data Factory activity runs",
                "lab",
                runs * len(STAGES),
                "adf_activity_run",
                f"{runs:g} run x {len(STAGES)} activities",
            )
        )
    queries, mb = a("adhoc_queries_per_lab_hour"), a("adhoc_mb_per_query")
    mb_per_tb = a("mb_per_tb")
    sql_min = cat.minimum("synapse_serverless_tb_processed")
    items.append(
        _item(
            cat,
            "Serverless SQL ad-hoc queries",
            "lab",
            model.scanned_tb(queries, mb, sql_min, mb_per_tb),
            "synapse_serverless_tb_processed",
            f"{queries:g} queries x max({mb:g}, {sql_min:g}) MB",
        )
    )
    if mode == "serverless":
        wq, wmb = a("warehouse_queries_per_lab_hour"), a("warehouse_mb_per_query")
        items.append(
            _item(
                cat,
                "Serverless SQL warehouse queries",
                "lab",
                model.scanned_tb(wq, wmb, sql_min, mb_per_tb),
                "synapse_serverless_tb_processed",
                f"{wq:g} queries x max({wmb:g}, {sql_min:g}) MB",
            )
        )
    elif mode == "provisioned" and pools:
        sku = str(ci["synapse_dedicated_sku"])
        hours = model.whole_hours(a("dedicated_pool_hours_per_lab_hour"))
        items.append(
            _item(
                cat,
                f"Dedicated SQL pool {sku} resumed",
                "lab",
                hours * model.dwu_multiple(sku) * pools,
                "synapse_dw100c_hour",
                f"{hours:g} h x {model.dwu_multiple(sku):g} x DW100c",
            )
        )
    return tuple(items)


def estimate_plan(plan: Plan, cat: Catalog, derived_from: str | None = None) -> Estimate:
    ci = plan.outputs["cost_inputs"]
    items = aws_items(plan, cat) if plan.cloud == "aws" else azure_items(plan, cat)
    return Estimate(
        stack=plan.stack,
        learner=str(plan.blueprint["learner"]),
        cloud=plan.cloud,
        region=str(ci["region"]),
        priced_region=cat.reference_regions.get(plan.cloud, "?"),
        budget_usd=float(ci["budget_usd"]),
        items=items,
        resources=sum(1 for r in plan.resources if r.custom),
        derived_from=derived_from,
    )


# --- counterparts -----------------------------------------------------------------------------
def counterpart_config(config: dict[str, Any], bp: Blueprint, cloud: Cloud) -> dict[str, Any]:
    """The stack config of the same lab on `cloud`: same settings, the paired region."""
    region = REGION_PAIRS.get(bp.region, "us-east-1" if cloud == "aws" else "eastus")
    out = {k: v for k, v in config.items() if not k.startswith(("aws:", "azure-native:"))}
    out["lakelab:cloud"] = cloud
    out["lakelab:region"] = region
    out[PROVIDER_REGION_KEY[cloud]] = region
    if cloud == "azure" and not bp.access.azure_principal_id:
        access = dict(out.get("lakelab:access") or {})
        access["azurePrincipalId"] = PLACEHOLDER_PRINCIPAL
        out["lakelab:access"] = access
    return out


def learner_plans(cohort: str, learner: str) -> dict[str, tuple[Plan, str | None]]:
    """The learner's plans on both clouds, with the stack each counterpart was derived from
    (None for a plan of the learner's own stack file)."""
    stacks = {c: f"{cohort}-{learner}-{c}" for c in ("aws", "azure")}
    present = set(list_stacks())
    have = [c for c in ("aws", "azure") if stacks[c] in present]
    if not have:
        raise UserError(
            f"no stack of learner {learner!r} in cohort {cohort!r}"
            f" (no stacks/Pulumi.{stacks['aws']}.yaml or Pulumi.{stacks['azure']}.yaml)"
        )
    plans: dict[str, tuple[Plan, str | None]] = {}
    for cloud in have:
        bp = load_blueprint(stacks[cloud], allow_expired=True)
        plans[cloud] = (plan_blueprint(bp, read_config(stacks[cloud])), None)
    for cloud in ("aws", "azure"):
        if cloud in plans:
            continue
        source = stacks[have[0]]
        bp = load_blueprint(source, allow_expired=True)
        config = counterpart_config(read_config(source), bp, cloud)  # type: ignore[arg-type]
        other = from_config(config, allow_expired=True)
        plans[cloud] = (plan_blueprint(other, config), source)
    return plans


def learner_estimate(cohort: str, learner: str, cat: Catalog) -> LearnerEstimate:
    """Both clouds for one learner: planned from their stack files, or from a counterpart of
    the one they have."""
    plans = learner_plans(cohort, learner)
    est = {c: estimate_plan(plan, cat, derived_from=src) for c, (plan, src) in plans.items()}
    rostered = tuple(c for c in ("aws", "azure") if plans[c][1] is None)
    return LearnerEstimate(learner, est["aws"], est["azure"], rostered)


def cohort_learners(cohort: str) -> list[str]:
    learners: dict[str, None] = {}
    for stack in list_stacks(cohort):
        learners[str(read_config(stack).get("lakelab:learner"))] = None
    return sorted(learners)
