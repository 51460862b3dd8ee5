"""A monthly AWS Budget on the learner's cost-allocation tag, alerting the learner."""

from __future__ import annotations

from typing import Final

import pulumi
import pulumi_aws as aws

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.billing import COST_TAGS
from lakelab.clouds.aws.names import AwsNames

# How the budget aggregates spend (UnblendedCost, BlendedCost, AmortizedCost, ...).
METRIC: Final = "UnblendedCost"


class LearnerBudget(LabComponent):
    def __init__(self, name: str, bp: Blueprint, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lakelab:aws:LearnerBudget", name, bp.tags, opts)
        notifications: list[aws.budgets.BudgetNotificationArgsDict] = [
            {
                "comparison_operator": "GREATER_THAN",
                "threshold": float(pct),
                "threshold_type": "PERCENTAGE",
                "notification_type": "ACTUAL",
                "subscriber_email_addresses": [bp.email],
            }
            for pct in bp.alert_thresholds_pct
        ]
        notifications.append(
            {
                "comparison_operator": "GREATER_THAN",
                "threshold": 100.0,
                "threshold_type": "PERCENTAGE",
                "notification_type": "FORECASTED",
                "subscriber_email_addresses": [bp.email],
            }
        )
        self.budget = aws.budgets.Budget(
            "budget",
            name=AwsNames.of(bp).budget,
            budget_type="COST",
            limit_amount=f"{bp.budget_usd:.2f}",
            limit_unit="USD",
            time_unit="MONTHLY",
            time_period_end=f"{bp.expires.isoformat()}_23:59",
            # A filter expression counts spend only with a metric to aggregate
            # (CreateBudget: "Either FilterExpression and Metrics or CostFilters and
            # CostTypes"); unblended cost is what Budgets track by default.
            metrics=METRIC,
            # Learner ids repeat across cohorts, so match both cost-allocation tags (which
            # must be active in the account: lakelab.clouds.aws.billing).
            filter_expression={
                "ands": [{"tags": {"key": key, "values": [bp.tags[key]]}} for key in COST_TAGS]
            },
            notifications=notifications,
            tags=self.tags,
            opts=self.child(),
        )
        self.register_outputs({"name": self.budget.name})
