"""Cost-allocation tags: what lets a learner's AWS Budget see the learner's spend.

A budget filtered on the `cohort` and `learner` tags sees spend only once those tag keys are
*active cost-allocation tags* of the payer account; until then it reads $0 and no alert fires
("Activating user-defined cost allocation tags", AWS Billing user guide:
https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html). A key can
be activated only after billing has seen it on a resource (up to 24 hours after the first
`pulumi up`), and activation applies from then on, not backwards.

Activation is account-wide and outlives every stack, so no learner stack declares it (the
`destroy` of one learner would deactivate it for the whole cohort). It is a one-time step per
account, which `lakelab cohort up` checks with Cost Explorer's `ListCostAllocationTags` and
reports with the exact command (`UpdateCostAllocationTagsStatus`) when it is missing.
"""

from __future__ import annotations

import os
from typing import Any, Final

from lakelab.clouds.aws.clients import Target

# The tags every learner's budget filters on (infra/aws/budget.py); one list for both.
COST_TAGS: Final = ("cohort", "learner")
CE_REGION: Final = "us-east-1"  # Cost Explorer's one endpoint


def inactive_cost_tags(ce: Any) -> list[str]:
    """The budget's tag keys that are not active cost-allocation tags in this account."""
    status: dict[str, str] = {}
    token: str | None = None
    while True:
        page = ce.list_cost_allocation_tags(
            TagKeys=list(COST_TAGS), Type="UserDefined", **({"NextToken": token} if token else {})
        )
        status |= {t["TagKey"]: t["Status"] for t in page.get("CostAllocationTags", [])}
        token = page.get("NextToken")
        if not token:
            break
    return [key for key in COST_TAGS if status.get(key) != "Active"]


def activation_command(keys: list[str]) -> str:
    pairs = " ".join(f"TagKey={key},Status=Active" for key in keys)
    return f"aws ce update-cost-allocation-tags-status --cost-allocation-tags-status {pairs}"


def account_warnings(ce: Any | None = None) -> list[str]:
    """What the instructor's account lacks for learners' budgets to work, as sentences."""
    if ce is None:
        endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
        ce = Target(endpoint, "", "", CE_REGION).client("ce")
    try:
        missing = inactive_cost_tags(ce)
    except Exception as exc:  # no permission, an emulator without Cost Explorer, no network
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return [
            f"could not check the AWS cost-allocation tags ({first}); learners' budgets read $0"
            f" until {' and '.join(COST_TAGS)} are active: {activation_command(list(COST_TAGS))}"
        ]
    if not missing:
        return []
    return [
        f"the AWS cost-allocation tag(s) {', '.join(missing)} are not active in this account, so"
        " learners' budgets read $0 and send no alert; once billing has seen the tags (up to"
        f" 24 hours after the first deploy) run: {activation_command(missing)}"
    ]
