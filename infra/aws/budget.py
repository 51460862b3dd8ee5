"""A monthly AWS Budget on the learner's cost-allocation tag, alerting the learner."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.names import AwsNames


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
            # Learner ids repeat across cohorts, so match both cost-allocation tags.
            filter_expression={
                "ands": [
                    {"tags": {"key": "cohort", "values": [bp.cohort]}},
                    {"tags": {"key": "learner", "values": [bp.learner]}},
                ]
            },
            notifications=notifications,
            tags=self.tags,
            opts=self.child(),
        )
        self.register_outputs({"name": self.budget.name})
