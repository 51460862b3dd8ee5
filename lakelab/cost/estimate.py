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
from lakelab.clouds import all_targets, cloud_for
from lakelab.cost import model
from lakelab.cost.catalog import Catalog
from lakelab.cost.model import CourseCost, LineItem
from lakelab.cost.pricing import price_list
from lakelab.errors import UserError
from lakelab.plan import Plan, plan_blueprint
from lakelab.regions import CLOUDS, Cloud
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
    estimates: dict[str, Estimate]
    rostered: tuple[str, ...] = field(default_factory=tuple)

    def on(self, cloud: str) -> Estimate:
        return self.estimates[cloud]

    def each(self) -> list[Estimate]:
        """One estimate per cloud, in the registry's order."""
        return [self.estimates[c] for c in CLOUDS]


def estimate_plan(plan: Plan, cat: Catalog, derived_from: str | None = None) -> Estimate:
    ci = plan.outputs["cost_inputs"]
    items = price_list(plan.cloud).standing(plan, cat)
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
    target = cloud_for(cloud)
    region = REGION_PAIRS.get(bp.region, target.default_region)
    providers = tuple(t.region_config_key.split(":")[0] + ":" for t in all_targets())
    out = {k: v for k, v in config.items() if not k.startswith(providers)}
    out["lakelab:cloud"] = cloud
    out["lakelab:region"] = region
    out[target.region_config_key] = region
    return with_stand_ins(out, cloud)


def with_stand_ins(config: dict[str, Any], cloud: str) -> dict[str, Any]:
    """`config` with the cloud's stand-in access values where it has none (pricing only:
    they change no figure)."""
    stand_ins = cloud_for(cloud).stand_in_access()
    access = dict(config.get("lakelab:access") or {})
    missing = {k: v for k, v in stand_ins.items() if not access.get(k)}
    if not missing:
        return config
    return config | {"lakelab:access": access | missing}


def learner_plans(cohort: str, learner: str) -> dict[str, tuple[Plan, str | None]]:
    """The learner's plans on both clouds, with the stack each counterpart was derived from
    (None for a plan of the learner's own stack file)."""
    stacks = {c: f"{cohort}-{learner}-{c}" for c in CLOUDS}
    present = set(list_stacks())
    have = [c for c in CLOUDS if stacks[c] in present]
    if not have:
        raise UserError(
            f"no stack of learner {learner!r} in cohort {cohort!r}"
            f" (no {' or '.join(f'stacks/Pulumi.{s}.yaml' for s in stacks.values())})"
        )
    plans: dict[str, tuple[Plan, str | None]] = {}
    for cloud in have:
        bp = load_blueprint(stacks[cloud], allow_expired=True)
        plans[cloud] = (plan_blueprint(bp, read_config(stacks[cloud])), None)
    for cloud in CLOUDS:
        if cloud in plans:
            continue
        source = stacks[have[0]]
        bp = load_blueprint(source, allow_expired=True)
        config = counterpart_config(read_config(source), bp, cloud)
        other = from_config(config, allow_expired=True)
        plans[cloud] = (plan_blueprint(other, config), source)
    return plans


def learner_estimate(cohort: str, learner: str, cat: Catalog) -> LearnerEstimate:
    """Both clouds for one learner: planned from their stack files, or from a counterpart of
    the one they have."""
    plans = learner_plans(cohort, learner)
    est = {c: estimate_plan(plan, cat, derived_from=src) for c, (plan, src) in plans.items()}
    rostered = tuple(c for c in CLOUDS if plans[c][1] is None)
    return LearnerEstimate(learner, est, rostered)


def cohort_learners(cohort: str) -> list[str]:
    learners: dict[str, None] = {}
    for stack in list_stacks(cohort):
        learners[str(read_config(stack).get("lakelab:learner"))] = None
    return sorted(learners)
