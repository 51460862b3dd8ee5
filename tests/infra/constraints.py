"""Documented constraints the AWS program must meet, each checked over an offline plan.

A real AWS API would reject a value outside these rules, or accept it and leave the lab broken
(a budget that sees $0, state that expires). The values are written here as the documentation
states them, not read from the program's constants, so a changed constant fails like a
changed blueprint value. Each row names the page its rule comes from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lakelab.plan import Plan

GLUE_JOB = "aws:glue/job:Job"
GLUE_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATHENA_WORKGROUP = "aws:athena/workgroup:Workgroup"
BUDGET = "aws:budgets/budget:Budget"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
REDSHIFT_WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup"


@dataclass(frozen=True)
class Constraint:
    id: str
    rule: str
    source: str
    check: Callable[[Plan], list[str]]  # what breaks the rule; empty when it holds


def _jobs(plan: Plan) -> list[dict[str, Any]]:
    return [r.inputs for r in plan.of_type(GLUE_JOB)]


def glue_version(plan: Plan) -> list[str]:
    # The lab's Spark 3.5 workload runs on Glue 5.0 (Spark 3.5.4, Python 3.11).
    return [f"{j['name']}: glueVersion {j.get('glueVersion')!r}" for j in _jobs(plan)
            if j.get("glueVersion") != "5.0"]  # fmt: skip


def glue_command(plan: Plan) -> list[str]:
    # `glueetl` is a Spark ETL (batch) job; `gluestreaming` and `pythonshell` are other kinds.
    return [f"{j['name']}: command {j.get('command')}" for j in _jobs(plan)
            if (j.get("command") or {}).get("name") != "glueetl"
            or (j.get("command") or {}).get("pythonVersion") != "3"]  # fmt: skip


BATCH_WORKER_TYPES = frozenset({"G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X",
                                "R.2X", "R.4X", "R.8X"})  # fmt: skip


def glue_batch_workers(plan: Plan) -> list[str]:
    return [f"{j['name']}: workerType {j.get('workerType')!r} on a batch job" for j in _jobs(plan)
            if j.get("workerType") not in BATCH_WORKER_TYPES]  # fmt: skip


def glue_no_continuous_log_flag(plan: Plan) -> list[str]:
    return [f"{j['name']}: --enable-continuous-cloudwatch-log on Glue {j.get('glueVersion')}"
            for j in _jobs(plan)
            if "--enable-continuous-cloudwatch-log" in (j.get("defaultArguments") or {})
            and j.get("glueVersion") == "5.0"]  # fmt: skip


def _role_statements(plan: Plan) -> list[dict[str, Any]]:
    document = json.loads(plan.named(GLUE_ROLE_POLICY, "glue-role-policy").inputs["policy"])
    return list(document["Statement"])


def glue_metrics_permission(plan: Plan) -> list[str]:
    metered = [j["name"] for j in _jobs(plan)
               if (j.get("defaultArguments") or {}).get("--enable-metrics") == "true"]  # fmt: skip
    if not metered:
        return []
    for st in _role_statements(plan):
        actions = st.get("Action")
        actions = [actions] if isinstance(actions, str) else actions or []
        namespace = st.get("Condition", {}).get("StringEquals", {}).get("cloudwatch:namespace")
        if (st.get("Effect") == "Allow" and "cloudwatch:PutMetricData" in actions
                and st.get("Resource") == "*" and namespace == "Glue"):  # fmt: skip
            return []
    return [f"{', '.join(metered)}: --enable-metrics without cloudwatch:PutMetricData (Glue)"]


def athena_cutoff_minimum(plan: Plan) -> list[str]:
    found = []
    for wg in plan.of_type(ATHENA_WORKGROUP):
        cutoff = wg.inputs["configuration"].get("bytesScannedCutoffPerQuery")
        if cutoff is None or cutoff < 10_000_000:
            found.append(f"{wg.inputs['name']}: bytesScannedCutoffPerQuery {cutoff}")
    return found


BUDGET_METRICS = frozenset({"UnblendedCost", "BlendedCost", "AmortizedCost", "NetUnblendedCost",
                            "NetAmortizedCost", "UsageQuantity", "NormalizedUsageAmount",
                            "Hours"})  # fmt: skip


def budget_metrics(plan: Plan) -> list[str]:
    found = []
    for budget in plan.of_type(BUDGET):
        metric = budget.inputs.get("metrics")
        metrics = [metric] if isinstance(metric, str) else list(metric or [])
        if budget.inputs.get("filterExpression") and not (
            metrics and set(metrics) <= BUDGET_METRICS
        ):
            found.append(f"{budget.inputs['name']}: filterExpression with metrics {metrics}")
    return found


def budget_tag_filter(plan: Plan) -> list[str]:
    """The filter names the learner's `cohort` and `learner` tag values, which every taggable
    resource of the stack carries (else the budget sees none of its spend)."""
    found = []
    for budget in plan.of_type(BUDGET):
        tags = budget.inputs["tags"]
        wanted = {"cohort": [tags["cohort"]], "learner": [tags["learner"]]}
        ands = (budget.inputs.get("filterExpression") or {}).get("ands", [])
        got = {a["tags"]["key"]: a["tags"]["values"] for a in ands if "tags" in a}
        if got != wanted:
            found.append(f"{budget.inputs['name']}: filters {got}, not {wanted}")
    return found


def quarantine_state_kept(plan: Plan) -> list[str]:
    """No expiring lifecycle rule of the quarantine bucket selects `_lakelab/` (S3 filters only
    select, by prefix; an empty prefix selects every object)."""
    found = []
    config = plan.named(LIFECYCLE, "quarantine-lifecycle").inputs
    for rule in config["rules"]:
        if "expiration" not in rule:
            continue
        prefix = (rule.get("filter") or {}).get("prefix", "")
        if "_lakelab/watermarks.json".startswith(prefix):
            found.append(f"rule {rule['id']}: prefix {prefix!r} expires the pipeline's state")
    return found


def redshift_base_capacity(plan: Plan) -> list[str]:
    found = []
    for wg in plan.of_type(REDSHIFT_WORKGROUP):
        rpu = int(wg.inputs.get("baseCapacity", 0))
        if rpu != 4 and not (8 <= rpu <= 512 and rpu % 8 == 0):
            found.append(f"{wg.inputs['workgroupName']}: baseCapacity {rpu}")
    return found


NAMESPACE = "aws:redshiftserverless/namespace:Namespace"
WAREHOUSE_ROLE = "aws:iam/role:Role"
LEARNER_POLICY = "aws:iam/userPolicy:UserPolicy"


def warehouse_role(plan: Plan) -> list[str]:
    """The namespace carries a role Redshift can assume, and uses it by default, so
    `create external schema ... from data catalog` needs no role ARN typed in."""
    found = []
    for ns in plan.of_type(NAMESPACE):
        role = plan.named(WAREHOUSE_ROLE, "warehouse-role").inputs
        trust = json.loads(role["assumeRolePolicy"])["Statement"][0]["Principal"]["Service"]
        if not {"redshift.amazonaws.com", "redshift-serverless.amazonaws.com"} <= set(trust):
            found.append(f"warehouse role trusts {trust}")
        if ns.inputs.get("defaultIamRoleArn") not in ns.inputs.get("iamRoles", []):
            found.append(f"{ns.inputs['namespaceName']}: default role not among its roles")
    return found


def data_api_results(plan: Plan) -> list[str]:
    """A learner who may ExecuteStatement may also read their statements' results
    (DescribeStatement, GetStatementResult: no resource types, narrowed to their own)."""
    if not plan.of_type(NAMESPACE):
        return []
    doc = json.loads(plan.named(LEARNER_POLICY, "learner-policy").inputs["policy"])
    wanted = {"redshift-data:DescribeStatement", "redshift-data:GetStatementResult"}
    for st in doc["Statement"]:
        owner = st.get("Condition", {}).get("StringEquals", {})
        own = owner.get("redshift-data:statement-owner-iam-userid") == "${aws:userid}"
        if wanted <= set(st.get("Action", [])) and st.get("Resource") == "*" and own:
            return []
    return ["the learner cannot read the results of their Data API statements"]


TRIGGER = "aws:glue/trigger:Trigger"


def dbt_after_gold(plan: Plan) -> list[str]:
    """The dbt step starts only when the gold job has succeeded (it reads gold's tables)."""
    trigger = plan.named(TRIGGER, "dbt-trigger").inputs
    conditions = (trigger.get("predicate") or {}).get("conditions", [])
    gold = plan.named(GLUE_JOB, "gold-job").inputs["name"]
    if trigger.get("type") != "CONDITIONAL" or not any(
        c.get("jobName") == gold and c.get("state") == "SUCCEEDED" for c in conditions
    ):
        return [f"dbt trigger: {trigger.get('type')} on {conditions}"]
    return []


def glue_role_queries_athena(plan: Plan) -> list[str]:
    """dbt-athena runs queries as the Glue role, in the learner's workgroup."""
    workgroup = plan.named(ATHENA_WORKGROUP, "workgroup").inputs["name"]
    for st in _role_statements(plan):
        if "athena:StartQueryExecution" in st.get("Action", []) and any(
            r.endswith(f":workgroup/{workgroup}") for r in st.get("Resource", [])
        ):
            return []
    return [f"the Glue role cannot query workgroup {workgroup}"]


AWS: tuple[Constraint, ...] = (
    Constraint("glue-version", "Glue jobs run Glue 5.0 (Spark 3.5)",
               "https://docs.aws.amazon.com/glue/latest/dg/release-notes.html", glue_version),
    Constraint("glue-command", "a Spark batch job's command is glueetl with Python 3",
               "https://docs.aws.amazon.com/glue/latest/webapi/API_JobCommand.html",
               glue_command),
    Constraint("glue-batch-workers",
               "G.025X is for streaming jobs; batch jobs use G.1X and larger",
               "https://docs.aws.amazon.com/glue/latest/webapi/API_Job.html (WorkerType)",
               glue_batch_workers),
    Constraint("glue-5-logging",
               "continuous logging is a Glue 4.0-and-earlier flag; Glue 5.0 logs in real time",
               "https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging-enable.html",
               glue_no_continuous_log_flag),
    Constraint("glue-metrics-permission",
               "--enable-metrics needs cloudwatch:PutMetricData (no resource types: `*`,"
               " narrowed to the Glue namespace)",
               "https://docs.aws.amazon.com/service-authorization/latest/reference/"
               "list_amazoncloudwatch.html", glue_metrics_permission),
    Constraint("athena-cutoff", "BytesScannedCutoffPerQuery is at least 10,000,000 bytes",
               "https://docs.aws.amazon.com/athena/latest/APIReference/"
               "API_WorkGroupConfiguration.html", athena_cutoff_minimum),
    Constraint("budget-metrics",
               "a budget with FilterExpression needs Metrics (valid values listed)",
               "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/"
               "API_budgets_CreateBudget.html", budget_metrics),
    Constraint("budget-tags", "the budget filters on the learner's cohort and learner tags",
               "https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html",
               budget_tag_filter),
    Constraint("quarantine-state", "no expiring lifecycle rule selects quarantine/_lakelab/",
               "https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-filters.html",
               quarantine_state_kept),
    Constraint("redshift-rpu", "Serverless base capacity is 4, or 8 to 512 in steps of 8",
               "https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html",
               redshift_base_capacity),
    Constraint("warehouse-role",
               "the namespace's default IAM role is one Redshift can assume",
               "https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-iam.html",
               warehouse_role),
    Constraint("data-api-results",
               "reading Data API results needs DescribeStatement and GetStatementResult,"
               " which have no resource types",
               "https://docs.aws.amazon.com/service-authorization/latest/reference/"
               "list_amazonredshiftdataapi.html", data_api_results),
    Constraint("dbt-after-gold",
               "a CONDITIONAL trigger starts the dbt job when the gold job SUCCEEDED",
               "https://docs.aws.amazon.com/glue/latest/webapi/API_Predicate.html",
               dbt_after_gold),
    Constraint("glue-role-athena",
               "the dbt job's role may StartQueryExecution in the learner's workgroup",
               "https://docs.aws.amazon.com/athena/latest/ug/workgroups-iam-policy.html",
               glue_role_queries_athena),
)  # fmt: skip
