"""A monthly consumption budget on the learner's resource group, alerting the learner."""

from __future__ import annotations

from datetime import date

import pulumi
import pulumi_azure_native.consumption as consumption
import pulumi_azure_native.resources as resources

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.azure.names import AzureNames


class LearnerBudget(LabComponent):
    def __init__(
        self,
        name: str,
        bp: Blueprint,
        group: resources.ResourceGroup,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:azure:LearnerBudget", name, bp.tags, opts)

        def notify(
            threshold: float, kind: consumption.ThresholdType
        ) -> consumption.NotificationArgs:
            return consumption.NotificationArgs(
                enabled=True,
                operator=consumption.OperatorType.GREATER_THAN,
                threshold=threshold,
                threshold_type=kind,
                contact_emails=[bp.email],
            )

        notifications = {
            f"actual-{pct}": notify(float(pct), consumption.ThresholdType.ACTUAL)
            for pct in bp.alert_thresholds_pct
        }
        notifications["forecast-100"] = notify(100.0, consumption.ThresholdType.FORECASTED)
        # Azure wants the first day of a month; later runs keep the original start.
        start = date.today().replace(day=1)
        self.budget = consumption.Budget(
            "budget",
            budget_name=AzureNames.of(bp).budget,
            scope=group.id,
            amount=bp.budget_usd,
            category=consumption.CategoryType.COST,
            time_grain=consumption.TimeGrainType.MONTHLY,
            time_period=consumption.BudgetTimePeriodArgs(
                start_date=f"{start.isoformat()}T00:00:00Z",
                end_date=f"{bp.expires.isoformat()}T23:59:59Z",
            ),
            notifications=notifications,
            opts=self.child(ignore_changes=["timePeriod.startDate"]),
        )
        self.register_outputs({"name": self.budget.name})
